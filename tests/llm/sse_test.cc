#include "llm/sse.h"

#include <gtest/gtest.h>

namespace wg::llm {
namespace {

std::vector<SseEvent> decode_in_pieces(std::string_view text, std::size_t piece) {
  SseDecoder d;
  std::vector<SseEvent> out;
  for (std::size_t i = 0; i < text.size(); i += piece) d.feed(text.substr(i, piece), out);
  d.finish(out);
  return out;
}

TEST(SseDecoderTest, DecodesEventsSplitAtEveryByteBoundary) {
  const std::string text = "event: a\ndata: {\"x\":1}\n\n: comment\n\nevent: b\r\ndata:two\r\ndata: lines\r\n\r\n";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 100u}) {
    auto events = decode_in_pieces(text, piece);
    ASSERT_EQ(events.size(), 2u) << "piece " << piece;
    EXPECT_EQ(events[0].event, "a");
    EXPECT_EQ(events[0].data, "{\"x\":1}");
    EXPECT_EQ(events[1].event, "b");
    EXPECT_EQ(events[1].data, "two\nlines");
  }
}

TEST(SseDecoderTest, DispatchesAFinalEventWithoutTrailingBlankLine) {
  auto events = decode_in_pieces("data: [DONE]", 4);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "[DONE]");
  EXPECT_EQ(events[0].event, "");
}

TEST(SseDecoderTest, IgnoresEventsWithoutData) {
  auto events = decode_in_pieces("event: ping\n\nid: 3\n\n", 5);
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace wg::llm

#include "mcp/protocol/jsonrpc.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "mcp/protocol/strict_json.h"
#include "mcp/protocol/types.h"

namespace wg::mcp {
namespace {

namespace json = boost::json;

Fault fault_of(const Decoded& d, std::size_t i = 0) {
  EXPECT_LT(i, d.items.size());
  const Fault* f = std::get_if<Fault>(&d.items.at(i));
  EXPECT_NE(f, nullptr) << "expected a fault";
  static const Fault kNone{};
  return f ? *f : kNone;
}

Message message_of(const Decoded& d, std::size_t i = 0) {
  const Message* m = std::get_if<Message>(&d.items.at(i));
  EXPECT_NE(m, nullptr) << (m ? "" : std::get<Fault>(d.items.at(i)).message);
  static const Message kNone{};
  return m ? *m : kNone;
}

TEST(StrictJsonTest, ParsesOrdinaryDocuments) {
  auto v = parse_strict(R"({"a":[1,2.5,"x",true,null,{"b":{}}],"c":-3})");
  ASSERT_TRUE(v.has_value()) << v.error().to_string();
  EXPECT_EQ(*v, json::parse(R"({"a":[1,2.5,"x",true,null,{"b":{}}],"c":-3})"));
}

TEST(StrictJsonTest, RejectsDuplicateKeysAtTopLevel) {
  auto v = parse_strict(R"({"a":1,"a":2})");
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code(), ErrorCode::Malformed);
  EXPECT_NE(v.error().message().find("duplicate object member \"a\""), std::string::npos);
}

TEST(StrictJsonTest, RejectsDuplicateKeysDeepInsideArrays) {
  auto v = parse_strict(R"({"x":[{"ok":1},{"y":{"k":1,"k":1}}]})");
  ASSERT_FALSE(v.has_value());
  EXPECT_NE(v.error().message().find("\"k\""), std::string::npos);
}

TEST(StrictJsonTest, RejectsDuplicateEmptyKeys) { EXPECT_FALSE(parse_strict(R"({"":1,"":2})").has_value()); }

TEST(StrictJsonTest, RejectsKeysThatAreEqualOnlyAfterUnescaping) {
  auto v = parse_strict(R"({"ab":1,"a\u0062":2})");
  ASSERT_FALSE(v.has_value());
  EXPECT_NE(v.error().message().find("duplicate"), std::string::npos);
}

TEST(StrictJsonTest, AllowsSameKeyInSiblingObjects) { EXPECT_TRUE(parse_strict(R"([{"a":1},{"a":2}])").has_value()); }

TEST(StrictJsonTest, RejectsInvalidUtf8InStrings) {
  const std::string bad = std::string("{\"a\":\"x") + '\xff' + "\"}";
  auto v = parse_strict(bad);
  ASSERT_FALSE(v.has_value());
  EXPECT_NE(v.error().message().find("invalid UTF-8 at byte offset 7"), std::string::npos);
}

TEST(StrictJsonTest, RejectsOverlongAndSurrogateEncodings) {
  EXPECT_NE(find_invalid_utf8("\xc0\xaf"), std::string_view::npos);          // overlong '/'
  EXPECT_NE(find_invalid_utf8("\xe0\x80\xaf"), std::string_view::npos);      // overlong
  EXPECT_NE(find_invalid_utf8("\xed\xa0\x80"), std::string_view::npos);      // U+D800
  EXPECT_NE(find_invalid_utf8("\xf4\x90\x80\x80"), std::string_view::npos);  // > U+10FFFF
  EXPECT_NE(find_invalid_utf8("\xe2\x82"), std::string_view::npos);          // truncated
  EXPECT_EQ(find_invalid_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), std::string_view::npos);
}

TEST(StrictJsonTest, RejectsEscapedLoneSurrogate) { EXPECT_FALSE(parse_strict(R"({"a":"\ud800"})").has_value()); }

TEST(StrictJsonTest, RejectsTextOverTheByteCap) {
  JsonLimits limits;
  limits.max_bytes = 16;
  auto v = parse_strict(R"({"a":"0123456789"})", limits);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code(), ErrorCode::LimitExceeded);
  EXPECT_TRUE(parse_strict(R"({"a":"01234"})", limits).has_value());
}

TEST(StrictJsonTest, RejectsNestingBeyondTheDepthLimit) {
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(parse_strict("[[[[1]]]]", limits).has_value());
  auto v = parse_strict("[[[[[1]]]]]", limits);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().code(), ErrorCode::LimitExceeded);
}

TEST(StrictJsonTest, RejectsTrailingDataCommentsAndTrailingCommas) {
  EXPECT_FALSE(parse_strict(R"({"a":1} {"b":2})").has_value());
  EXPECT_FALSE(parse_strict(R"({"a":1 /* c */})").has_value());
  EXPECT_FALSE(parse_strict(R"({"a":1,})").has_value());
  EXPECT_FALSE(parse_strict("").has_value());
  EXPECT_TRUE(parse_strict(" {\"a\":1} \n").has_value());
}

TEST(JsonRpcTest, ClassifiesRequestNotificationAndResponses) {
  auto req = decode(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", BatchMode::Refused);
  EXPECT_EQ(message_of(req).kind, MessageKind::Request);
  EXPECT_EQ(message_of(req).id, RequestId(1));
  EXPECT_EQ(message_of(req).method, "ping");

  auto note = decode(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", BatchMode::Refused);
  EXPECT_EQ(message_of(note).kind, MessageKind::Notification);
  EXPECT_FALSE(message_of(note).id.has_value());

  auto res = decode(R"({"jsonrpc":"2.0","id":"a","result":{}})", BatchMode::Refused);
  EXPECT_EQ(message_of(res).kind, MessageKind::Response);
  EXPECT_EQ(message_of(res).id, RequestId(std::string("a")));

  auto err = decode(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"bad"}})", BatchMode::Refused);
  EXPECT_EQ(message_of(err).kind, MessageKind::ErrorResponse);
  EXPECT_EQ(message_of(err).error.code, -32600);
  EXPECT_FALSE(message_of(err).id.has_value());
}

TEST(JsonRpcTest, StringAndNumberIdsAreDistinct) {
  EXPECT_NE(RequestId(1), RequestId(std::string("1")));
  EXPECT_EQ(RequestId(std::string("1")).to_string(), "\"1\"");
  EXPECT_EQ(RequestId(1).to_string(), "1");
}

TEST(JsonRpcTest, RejectsNullIdInRequests) {
  const Fault f = fault_of(decode(R"({"jsonrpc":"2.0","id":null,"method":"ping"})", BatchMode::Refused));
  EXPECT_EQ(f.code, RpcCode::InvalidRequest);
  EXPECT_NE(f.message.find("null"), std::string::npos);
}

TEST(JsonRpcTest, RejectsFractionalBooleanAndObjectIds) {
  for (const char* text :
       {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", R"({"jsonrpc":"2.0","id":true,"method":"ping"})",
        R"({"jsonrpc":"2.0","id":{},"method":"ping"})"}) {
    EXPECT_EQ(fault_of(decode(text, BatchMode::Refused)).code, RpcCode::InvalidRequest) << text;
  }
}

TEST(JsonRpcTest, RejectsNonObjectParamsAndEchoesTheId) {
  for (const char* text : {R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":[1]})",
                           R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":"x"})",
                           R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":null})"}) {
    const Fault f = fault_of(decode(text, BatchMode::Refused));
    EXPECT_EQ(f.code, RpcCode::InvalidRequest) << text;
    EXPECT_EQ(f.id, RequestId(7)) << text;
  }
}

TEST(JsonRpcTest, RejectsCaseVariantDuplicatesOfEnvelopeKeys) {
  for (const char* text :
       {R"({"jsonrpc":"2.0","id":1,"method":"tools/list","Method":"tools/call"})",
        R"({"jsonrpc":"2.0","id":1,"method":"ping","PARAMS":{}})", R"({"jsonrpc":"2.0","id":1,"ID":2,"method":"ping"})",
        R"({"jsonrpc":"2.0","Jsonrpc":"2.0","id":1,"method":"ping"})",
        R"({"jsonrpc":"2.0","id":1,"result":{},"Error":{}})"}) {
    const Fault f = fault_of(decode(text, BatchMode::Refused));
    EXPECT_EQ(f.code, RpcCode::InvalidRequest) << text;
    EXPECT_NE(f.message.find("case variant"), std::string::npos) << text;
  }
}

TEST(JsonRpcTest, RejectsExactDuplicateEnvelopeKeysAsInvalidRequest) {
  const Fault f =
      fault_of(decode(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call"})", BatchMode::Refused));
  EXPECT_EQ(f.code, RpcCode::InvalidRequest);
  EXPECT_NE(f.message.find("duplicate"), std::string::npos);
}

TEST(JsonRpcTest, RejectsNestedDuplicateKeysInParams) {
  const Fault f = fault_of(
      decode(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","arguments":{"p":1,"p":2}}})",
             BatchMode::Refused));
  EXPECT_EQ(f.code, RpcCode::InvalidRequest);
}

TEST(JsonRpcTest, RejectsInvalidUtf8AndOversizeAsInvalidRequest) {
  const std::string bad = std::string(R"({"jsonrpc":"2.0","id":1,"method":"p)") + '\xc3' + "\"}";
  EXPECT_EQ(fault_of(decode(bad, BatchMode::Refused)).code, RpcCode::InvalidRequest);
  DecodeLimits limits;
  limits.json.max_bytes = 20;
  EXPECT_EQ(fault_of(decode(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", BatchMode::Refused, limits)).code,
            RpcCode::InvalidRequest);
}

TEST(JsonRpcTest, ReportsParseErrorForNonJson) {
  EXPECT_EQ(fault_of(decode("{\"jsonrpc\":", BatchMode::Refused)).code, RpcCode::ParseError);
  EXPECT_EQ(fault_of(decode("hello", BatchMode::Refused)).code, RpcCode::ParseError);
}

TEST(JsonRpcTest, RejectsWrongVersionAndMixedShapes) {
  for (const char* text : {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", R"({"id":1,"method":"ping"})",
                           R"({"jsonrpc":"2.0","id":1,"method":"ping","result":{}})",
                           R"({"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}})",
                           R"({"jsonrpc":"2.0","id":1})", R"({"jsonrpc":"2.0","id":1,"method":5})",
                           R"({"jsonrpc":"2.0","id":1,"error":{"code":"x","message":"m"}})", "[1]x", "42"}) {
    const Decoded d = decode(text, BatchMode::Refused);
    ASSERT_EQ(d.items.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<Fault>(d.items[0])) << text;
  }
}

TEST(JsonRpcTest, RefusesBatchesUnlessAllowed) {
  const char* batch = R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"x"}])";
  const Decoded refused = decode(batch, BatchMode::Refused);
  EXPECT_FALSE(refused.batch);
  EXPECT_EQ(fault_of(refused).code, RpcCode::InvalidRequest);

  const Decoded allowed = decode(batch, BatchMode::Allowed);
  EXPECT_TRUE(allowed.batch);
  ASSERT_EQ(allowed.items.size(), 2u);
  EXPECT_EQ(message_of(allowed, 0).kind, MessageKind::Request);
  EXPECT_EQ(message_of(allowed, 1).kind, MessageKind::Notification);
}

TEST(JsonRpcTest, ClassifiesEachBatchElementIndependently) {
  const Decoded d = decode(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},1,{"jsonrpc":"2.0","id":null,"method":"a"}])",
                           BatchMode::Allowed);
  ASSERT_EQ(d.items.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<Message>(d.items[0]));
  EXPECT_TRUE(std::holds_alternative<Fault>(d.items[1]));
  EXPECT_TRUE(std::holds_alternative<Fault>(d.items[2]));
}

TEST(JsonRpcTest, RejectsEmptyAndOversizedBatches) {
  EXPECT_EQ(fault_of(decode("[]", BatchMode::Allowed)).code, RpcCode::InvalidRequest);
  DecodeLimits limits;
  limits.max_batch_items = 1;
  EXPECT_EQ(
      fault_of(decode(R"([{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"b"}])", BatchMode::Allowed, limits))
          .code,
      RpcCode::InvalidRequest);
}

TEST(JsonRpcTest, EncodesMessagesThatDecodeBack) {
  json::object params{{"a", 1}};
  const Decoded req = decode(encode_request(RequestId(std::string("r1")), "tools/call", params), BatchMode::Refused);
  EXPECT_EQ(message_of(req).method, "tools/call");
  EXPECT_EQ(message_of(req).params, params);
  const Decoded err = decode(encode_error(RequestId(3), RpcCode::MethodNotFound, "nope"), BatchMode::Refused);
  EXPECT_EQ(message_of(err).error.code, -32601);
  EXPECT_EQ(message_of(err).error.message, "nope");
  EXPECT_EQ(json::parse(encode_error(std::nullopt, RpcCode::ParseError, "x")).at("id"), nullptr);
}

TEST(ProtocolTypesTest, NegotiatesSupportedVersionsAndFallsBackToLatest) {
  EXPECT_EQ(negotiate_protocol_version("2025-06-18"), "2025-06-18");
  EXPECT_EQ(negotiate_protocol_version("2025-03-26"), "2025-03-26");
  EXPECT_EQ(negotiate_protocol_version("2024-11-05"), "2025-11-25");
  EXPECT_EQ(negotiate_protocol_version("garbage"), "2025-11-25");
  EXPECT_TRUE(protocol_allows_batches("2025-03-26"));
  EXPECT_FALSE(protocol_allows_batches("2025-06-18"));
}

TEST(ProtocolTypesTest, StructuredResultAlsoCarriesATextBlock) {
  json::object out = ToolResult::structured(json::object{{"n", 3}}).to_json();
  EXPECT_EQ(out.at("structuredContent"), json::parse(R"({"n":3})"));
  EXPECT_EQ(out.at("content").at(0).at("text"), "{\"n\":3}");
  EXPECT_FALSE(out.contains("isError"));
  EXPECT_EQ(ToolResult::error("boom").to_json().at("isError"), true);
}

}  // namespace
}  // namespace wg::mcp

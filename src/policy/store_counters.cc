#include "policy/store_counters.h"

#include <chrono>

namespace wg::policy {
namespace {

std::chrono::milliseconds length_ms(const CounterWindow& w) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(w.length());
}

}  // namespace

store::EpochMs to_epoch_ms(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_epoch_ms(store::EpochMs ms) { return Timestamp(std::chrono::milliseconds(ms)); }

Result<CounterReading> StoreCountersView::read(const CounterRef& ref, Timestamp now) const {
  const CounterWindow& w = ref.def.window;
  Timestamp from;
  Timestamp to;
  if (w.kind == WindowKind::Fixed) {
    from = fixed_window_start(w.unit, now);
    to = fixed_window_end(w.unit, now);
  } else {
    // (now - length, now] as a half-open millisecond range.
    from = now - length_ms(w) + std::chrono::milliseconds(1);
    to = now + std::chrono::milliseconds(1);
  }
  auto rows = WG_TRY(txn_.entries(ref.key(), to_epoch_ms(from), to_epoch_ms(to), to_epoch_ms(now)));
  CounterReading out;
  for (const auto& row : rows) {
    auto amount = Decimal::parse(row.amount);
    if (!amount)
      return make_error(ErrorCode::Internal, "stored counter amount \"" + row.amount + "\" is not a decimal");
    out.value = WG_TRY(out.value.checked_add(*amount));
  }
  if (w.kind == WindowKind::Sliding && !rows.empty()) {
    out.oldest_expires_at = from_epoch_ms(rows.front().at_ms) + length_ms(w);
  }
  return out;
}

std::vector<store::CounterIncrement> increments_for(const std::vector<CounterUpdate>& updates, Timestamp now) {
  std::vector<store::CounterIncrement> out;
  out.reserve(updates.size());
  for (const auto& u : updates) {
    const CounterWindow& w = u.ref.def.window;
    const Timestamp expires = w.kind == WindowKind::Fixed ? fixed_window_end(w.unit, now) : now + length_ms(w);
    out.push_back(store::CounterIncrement{u.ref.key(), u.amount.to_string(), to_epoch_ms(expires)});
  }
  return out;
}

}  // namespace wg::policy

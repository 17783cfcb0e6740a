// The policy's view of counters over the store (policy -> store edge).
//
// StoreCountersView reads a counter inside one store transaction
// (store::StateTxn), summing the stored decimal increments exactly with
// Decimal. increments_for() turns a Decision's updates into store
// increments, each carrying the time after which it no longer counts.
// Window arithmetic is the evaluator's (fixed_window_start/end): a fixed
// window counts increments made in [start, end) of the window holding `now`;
// a sliding window counts (now - length, now].
// Thread-safety: a view is used by the thread running the transaction.
#pragma once

#include <vector>

#include "policy/evaluator.h"
#include "store/policy_state_store.h"

namespace wg::policy {

store::EpochMs to_epoch_ms(Timestamp t);
Timestamp from_epoch_ms(store::EpochMs ms);

class StoreCountersView final : public CountersView {
 public:
  // `txn` must outlive the view (both live inside one atomically() callback).
  explicit StoreCountersView(store::StateTxn& txn) : txn_(txn) {}
  // A stored amount that does not parse, or a sum that overflows, is an
  // Error (the evaluator then denies with state_error).
  Result<CounterReading> read(const CounterRef& ref, Timestamp now) const override;

 private:
  store::StateTxn& txn_;
};

std::vector<store::CounterIncrement> increments_for(const std::vector<CounterUpdate>& updates, Timestamp now);

}  // namespace wg::policy

// The interpreter: computed-goto dispatch over the compiled form
// (exec/code.h). wasm->wasm calls never recurse on the host stack: frames
// live in Store::frames_ and values in Store::stack_, both bounded by
// StoreLimits, so deep guest recursion ends in "call stack exhausted".
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "base/check.h"
#include "wasm/exec/code.h"
#include "wasm/exec/machine.h"
#include "wasm/exec/runtime.h"

namespace wg::wasm {

namespace {

inline float f32(std::uint64_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b)); }
inline double f64(std::uint64_t b) { return std::bit_cast<double>(b); }
inline std::uint64_t bf32(float v) { return std::bit_cast<std::uint32_t>(v); }
inline std::uint64_t bf64(double v) { return std::bit_cast<std::uint64_t>(v); }
inline std::uint32_t u32(std::uint64_t b) { return static_cast<std::uint32_t>(b); }
inline std::int32_t s32(std::uint64_t b) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(b)); }
inline std::int64_t s64(std::uint64_t b) { return static_cast<std::int64_t>(b); }

// Spec 4.3.3 fmin/fmax: NaN in -> NaN out; -0 < +0.
// ceil/floor/trunc/nearest: a NaN input gives a quiet NaN (x + x quiets a
// signalling NaN; the libm functions may return it unchanged).
template <class F, class Fn>
F round_op(F x, Fn fn) {
  if (std::isnan(x)) return x + x;
  return fn(x);
}

template <class F>
F wasm_min(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
template <class F>
F wasm_max(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
inline float copysign32(float a, float b) {
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(a) & 0x7FFFFFFFu) |
                              (std::bit_cast<std::uint32_t>(b) & 0x80000000u));
}
inline double copysign64(double a, double b) {
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & 0x7FFFFFFFFFFFFFFFull) |
                               (std::bit_cast<std::uint64_t>(b) & 0x8000000000000000ull));
}

// Saturating truncation (spec 4.3.3 trunc_sat).
template <class I, class F>
I trunc_sat(F x) {
  if (std::isnan(x)) return 0;
  constexpr F lo = static_cast<F>(std::numeric_limits<I>::min());
  // 2^N as F is exact; values >= it saturate.
  constexpr F hi = static_cast<F>(std::numeric_limits<I>::max() / 2 + 1) * F(2);
  if (x < lo) return std::numeric_limits<I>::min();
  if (x >= hi) return std::numeric_limits<I>::max();
  if (std::is_unsigned_v<I> && x <= F(-1)) return 0;
  return static_cast<I>(x);
}

// Trapping truncation: 0 ok, 1 invalid conversion (NaN), 2 overflow.
template <class I, class F>
int trunc_check(F x) {
  if (std::isnan(x)) return 1;
  constexpr F hi = static_cast<F>(std::numeric_limits<I>::max() / 2 + 1) * F(2);
  if (x >= hi) return 2;
  if constexpr (std::is_unsigned_v<I>) {
    if (x <= F(-1)) return 2;
  } else {
    constexpr F lo = static_cast<F>(std::numeric_limits<I>::min());
    if (x < lo) {
      // For f64 -> i32, values in (min-1, min) truncate to min.
      if (!(x > lo - F(1))) return 2;
    }
  }
  return 0;
}

}  // namespace

std::optional<Trap> Machine::run(Store* sp, FuncInst* f, std::uint64_t* fp) {
#define WG_LBL_Special(name) &&op_bad,
#define WG_LBL_Unary(name) &&op_##name,
#define WG_LBL_Binary(name) &&op_##name,
#define WG_LBL_Load(name) &&op_##name,
#define WG_LBL_Store(name) &&op_##name,
  static const void* const labels[] = {
#define WG_OP(name, prefix, code, shape, in1, in2, out, align) WG_LBL_##shape(name)
#include "wasm/model/opcodes.def"
#undef WG_OP
#define WG_XOP(name) &&x_##name,
#include "wasm/exec/xops.def"
#undef WG_XOP
  };
  static_assert(sizeof(labels) / sizeof(labels[0]) == static_cast<std::size_t>(XOp::kCount));
  if (sp == nullptr) {
    table = labels;
    return std::nullopt;
  }
  Store& s = *sp;
  const StoreLimits& lim = s.limits_;
  const std::size_t base_frames = s.frames_.size();
  std::uint64_t* const stack_end = s.stack_.get() + lim.max_stack_slots;
  std::atomic<bool>* const interrupt = lim.interrupt;
  const bool has_deadline = lim.deadline.has_value();
  std::int64_t fuel = s.fuel_;
  TrapKind trap_kind = TrapKind::Unreachable;
  std::optional<Trap> host_trap;

  ModuleInstance* inst = f->instance;
  const Cell* pc = f->code->code.data();
  std::uint8_t* mem = nullptr;
  std::uint64_t mem_size = 0;
#define REFRESH_MEM()                      \
  do {                                     \
    if (!inst->memories_.empty()) {        \
      mem = inst->memories_[0]->data;      \
      mem_size = inst->memories_[0]->size; \
    } else {                               \
      mem = nullptr;                       \
      mem_size = 0;                        \
    }                                      \
  } while (false)
  REFRESH_MEM();
  {
    const CompiledFunc* cf = f->code;
    if (fp + cf->frame_slots > stack_end) {
      trap_kind = TrapKind::CallStackExhausted;
      goto trap;
    }
    std::memset(fp + cf->num_params, 0, sizeof(std::uint64_t) * (cf->num_locals - cf->num_params));
    if (!cf->consts.empty())
      std::memcpy(fp + cf->num_locals, cf->consts.data(), cf->consts.size() * sizeof(std::uint64_t));
  }

#define NEXT() goto* const_cast<void*>(pc->handler)
#define A pc[1].s.a
#define B pc[1].s.b
#define TRAP(k)      \
  do {               \
    trap_kind = (k); \
    goto trap;       \
  } while (false)

  NEXT();

  // ---- numeric operators ----
#define UN(name, expr)             \
  op_##name : {                    \
    const std::uint64_t a = fp[A]; \
    fp[B] = (expr);                \
    pc += 2;                       \
    NEXT();                        \
  }
#define BIN(name, expr)            \
  op_##name : {                    \
    const std::uint64_t a = fp[A]; \
    const std::uint64_t b = fp[B]; \
    fp[pc[2].s.a] = (expr);        \
    pc += 3;                       \
    NEXT();                        \
  }
  UN(i32_eqz, u32(a) == 0)
  BIN(i32_eq, u32(a) == u32(b))
  BIN(i32_ne, u32(a) != u32(b))
  BIN(i32_lt_s, s32(a) < s32(b))
  BIN(i32_lt_u, u32(a) < u32(b))
  BIN(i32_gt_s, s32(a) > s32(b))
  BIN(i32_gt_u, u32(a) > u32(b))
  BIN(i32_le_s, s32(a) <= s32(b))
  BIN(i32_le_u, u32(a) <= u32(b))
  BIN(i32_ge_s, s32(a) >= s32(b))
  BIN(i32_ge_u, u32(a) >= u32(b))
  UN(i64_eqz, a == 0)
  BIN(i64_eq, a == b)
  BIN(i64_ne, a != b)
  BIN(i64_lt_s, s64(a) < s64(b))
  BIN(i64_lt_u, a < b)
  BIN(i64_gt_s, s64(a) > s64(b))
  BIN(i64_gt_u, a > b)
  BIN(i64_le_s, s64(a) <= s64(b))
  BIN(i64_le_u, a <= b)
  BIN(i64_ge_s, s64(a) >= s64(b))
  BIN(i64_ge_u, a >= b)
  BIN(f32_eq, f32(a) == f32(b))
  BIN(f32_ne, f32(a) != f32(b))
  BIN(f32_lt, f32(a) < f32(b))
  BIN(f32_gt, f32(a) > f32(b))
  BIN(f32_le, f32(a) <= f32(b))
  BIN(f32_ge, f32(a) >= f32(b))
  BIN(f64_eq, f64(a) == f64(b))
  BIN(f64_ne, f64(a) != f64(b))
  BIN(f64_lt, f64(a) < f64(b))
  BIN(f64_gt, f64(a) > f64(b))
  BIN(f64_le, f64(a) <= f64(b))
  BIN(f64_ge, f64(a) >= f64(b))
  UN(i32_clz, static_cast<std::uint32_t>(std::countl_zero(u32(a))))
  UN(i32_ctz, static_cast<std::uint32_t>(std::countr_zero(u32(a))))
  UN(i32_popcnt, static_cast<std::uint32_t>(std::popcount(u32(a))))
  BIN(i32_add, u32(u32(a) + u32(b)))
  BIN(i32_sub, u32(u32(a) - u32(b)))
  BIN(i32_mul, u32(u32(a) * u32(b)))
op_i32_div_s : {
  const std::int32_t a = s32(fp[A]), b = s32(fp[B]);
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  if (a == std::numeric_limits<std::int32_t>::min() && b == -1) TRAP(TrapKind::IntegerOverflow);
  fp[pc[2].s.a] = u32(static_cast<std::uint32_t>(a / b));
  pc += 3;
  NEXT();
}
op_i32_div_u : {
  const std::uint32_t a = u32(fp[A]), b = u32(fp[B]);
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  fp[pc[2].s.a] = a / b;
  pc += 3;
  NEXT();
}
op_i32_rem_s : {
  const std::int32_t a = s32(fp[A]), b = s32(fp[B]);
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  fp[pc[2].s.a] = (b == -1) ? 0 : u32(static_cast<std::uint32_t>(a % b));
  pc += 3;
  NEXT();
}
op_i32_rem_u : {
  const std::uint32_t a = u32(fp[A]), b = u32(fp[B]);
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  fp[pc[2].s.a] = a % b;
  pc += 3;
  NEXT();
}
  BIN(i32_and, u32(a) & u32(b))
  BIN(i32_or, u32(a) | u32(b))
  BIN(i32_xor, u32(a) ^ u32(b))
  BIN(i32_shl, u32(u32(a) << (b & 31)))
  BIN(i32_shr_s, u32(static_cast<std::uint32_t>(s32(a) >> (b & 31))))
  BIN(i32_shr_u, u32(a) >> (b & 31))
  BIN(i32_rotl, std::rotl(u32(a), static_cast<int>(b & 31)))
  BIN(i32_rotr, std::rotr(u32(a), static_cast<int>(b & 31)))
  UN(i64_clz, static_cast<std::uint64_t>(std::countl_zero(a)))
  UN(i64_ctz, static_cast<std::uint64_t>(std::countr_zero(a)))
  UN(i64_popcnt, static_cast<std::uint64_t>(std::popcount(a)))
  BIN(i64_add, a + b)
  BIN(i64_sub, a - b)
  BIN(i64_mul, a * b)
op_i64_div_s : {
  const std::int64_t a = s64(fp[A]), b = s64(fp[B]);
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  if (a == std::numeric_limits<std::int64_t>::min() && b == -1) TRAP(TrapKind::IntegerOverflow);
  fp[pc[2].s.a] = static_cast<std::uint64_t>(a / b);
  pc += 3;
  NEXT();
}
op_i64_div_u : {
  const std::uint64_t a = fp[A], b = fp[B];
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  fp[pc[2].s.a] = a / b;
  pc += 3;
  NEXT();
}
op_i64_rem_s : {
  const std::int64_t a = s64(fp[A]), b = s64(fp[B]);
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  fp[pc[2].s.a] = (b == -1) ? 0 : static_cast<std::uint64_t>(a % b);
  pc += 3;
  NEXT();
}
op_i64_rem_u : {
  const std::uint64_t a = fp[A], b = fp[B];
  if (b == 0) TRAP(TrapKind::IntegerDivideByZero);
  fp[pc[2].s.a] = a % b;
  pc += 3;
  NEXT();
}
  BIN(i64_and, a & b)
  BIN(i64_or, a | b)
  BIN(i64_xor, a ^ b)
  BIN(i64_shl, a << (b & 63))
  BIN(i64_shr_s, static_cast<std::uint64_t>(s64(a) >> (b & 63)))
  BIN(i64_shr_u, a >> (b & 63))
  BIN(i64_rotl, std::rotl(a, static_cast<int>(b & 63)))
  BIN(i64_rotr, std::rotr(a, static_cast<int>(b & 63)))
  UN(f32_abs, a & 0x7FFFFFFFu)
  UN(f32_neg, u32(a) ^ 0x80000000u)
  UN(f32_ceil, bf32(round_op(f32(a), [](const float v) { return std::ceil(v); })))
  UN(f32_floor, bf32(round_op(f32(a), [](const float v) { return std::floor(v); })))
  UN(f32_trunc, bf32(round_op(f32(a), [](const float v) { return std::trunc(v); })))
  UN(f32_nearest, bf32(round_op(f32(a), [](const float v) { return std::nearbyint(v); })))
  UN(f32_sqrt, bf32(std::sqrt(f32(a))))
  BIN(f32_add, bf32(f32(a) + f32(b)))
  BIN(f32_sub, bf32(f32(a) - f32(b)))
  BIN(f32_mul, bf32(f32(a) * f32(b)))
  BIN(f32_div, bf32(f32(a) / f32(b)))
  BIN(f32_min, bf32(wasm_min(f32(a), f32(b))))
  BIN(f32_max, bf32(wasm_max(f32(a), f32(b))))
  BIN(f32_copysign, bf32(copysign32(f32(a), f32(b))))
  UN(f64_abs, a & 0x7FFFFFFFFFFFFFFFull)
  UN(f64_neg, a ^ 0x8000000000000000ull)
  UN(f64_ceil, bf64(round_op(f64(a), [](const double v) { return std::ceil(v); })))
  UN(f64_floor, bf64(round_op(f64(a), [](const double v) { return std::floor(v); })))
  UN(f64_trunc, bf64(round_op(f64(a), [](const double v) { return std::trunc(v); })))
  UN(f64_nearest, bf64(round_op(f64(a), [](const double v) { return std::nearbyint(v); })))
  UN(f64_sqrt, bf64(std::sqrt(f64(a))))
  BIN(f64_add, bf64(f64(a) + f64(b)))
  BIN(f64_sub, bf64(f64(a) - f64(b)))
  BIN(f64_mul, bf64(f64(a) * f64(b)))
  BIN(f64_div, bf64(f64(a) / f64(b)))
  BIN(f64_min, bf64(wasm_min(f64(a), f64(b))))
  BIN(f64_max, bf64(wasm_max(f64(a), f64(b))))
  BIN(f64_copysign, bf64(copysign64(f64(a), f64(b))))
  UN(i32_wrap_i64, u32(a))
#define TRUNC(name, I, F, conv, store)             \
  op_##name : {                                    \
    const F x = conv(fp[A]);                       \
    const int c = trunc_check<I, F>(x);            \
    if (c == 1) TRAP(TrapKind::InvalidConversion); \
    if (c == 2) TRAP(TrapKind::IntegerOverflow);   \
    fp[B] = store(static_cast<I>(x));              \
    pc += 2;                                       \
    NEXT();                                        \
  }
#define ST32(v) static_cast<std::uint64_t>(static_cast<std::uint32_t>(v))
#define ST64(v) static_cast<std::uint64_t>(v)
  TRUNC(i32_trunc_f32_s, std::int32_t, float, f32, ST32)
  TRUNC(i32_trunc_f32_u, std::uint32_t, float, f32, ST32)
  TRUNC(i32_trunc_f64_s, std::int32_t, double, f64, ST32)
  TRUNC(i32_trunc_f64_u, std::uint32_t, double, f64, ST32)
  UN(i64_extend_i32_s, static_cast<std::uint64_t>(static_cast<std::int64_t>(s32(a))))
  UN(i64_extend_i32_u, static_cast<std::uint64_t>(u32(a)))
  TRUNC(i64_trunc_f32_s, std::int64_t, float, f32, ST64)
  TRUNC(i64_trunc_f32_u, std::uint64_t, float, f32, ST64)
  TRUNC(i64_trunc_f64_s, std::int64_t, double, f64, ST64)
  TRUNC(i64_trunc_f64_u, std::uint64_t, double, f64, ST64)
  UN(f32_convert_i32_s, bf32(static_cast<float>(s32(a))))
  UN(f32_convert_i32_u, bf32(static_cast<float>(u32(a))))
  UN(f32_convert_i64_s, bf32(static_cast<float>(s64(a))))
  UN(f32_convert_i64_u, bf32(static_cast<float>(a)))
  UN(f32_demote_f64, bf32(static_cast<float>(f64(a))))
  UN(f64_convert_i32_s, bf64(static_cast<double>(s32(a))))
  UN(f64_convert_i32_u, bf64(static_cast<double>(u32(a))))
  UN(f64_convert_i64_s, bf64(static_cast<double>(s64(a))))
  UN(f64_convert_i64_u, bf64(static_cast<double>(a)))
  UN(f64_promote_f32, bf64(static_cast<double>(f32(a))))
  UN(i32_reinterpret_f32, u32(a))
  UN(i64_reinterpret_f64, a)
  UN(f32_reinterpret_i32, u32(a))
  UN(f64_reinterpret_i64, a)
  UN(i32_extend8_s, ST32(static_cast<std::int32_t>(static_cast<std::int8_t>(a))))
  UN(i32_extend16_s, ST32(static_cast<std::int32_t>(static_cast<std::int16_t>(a))))
  UN(i64_extend8_s, ST64(static_cast<std::int64_t>(static_cast<std::int8_t>(a))))
  UN(i64_extend16_s, ST64(static_cast<std::int64_t>(static_cast<std::int16_t>(a))))
  UN(i64_extend32_s, ST64(static_cast<std::int64_t>(static_cast<std::int32_t>(a))))
  UN(i32_trunc_sat_f32_s, ST32((trunc_sat<std::int32_t, float>(f32(a)))))
  UN(i32_trunc_sat_f32_u, ST32((trunc_sat<std::uint32_t, float>(f32(a)))))
  UN(i32_trunc_sat_f64_s, ST32((trunc_sat<std::int32_t, double>(f64(a)))))
  UN(i32_trunc_sat_f64_u, ST32((trunc_sat<std::uint32_t, double>(f64(a)))))
  UN(i64_trunc_sat_f32_s, ST64((trunc_sat<std::int64_t, float>(f32(a)))))
  UN(i64_trunc_sat_f32_u, ST64((trunc_sat<std::uint64_t, float>(f32(a)))))
  UN(i64_trunc_sat_f64_s, ST64((trunc_sat<std::int64_t, double>(f64(a)))))
  UN(i64_trunc_sat_f64_u, ST64((trunc_sat<std::uint64_t, double>(f64(a)))))

  // ---- memory ----
#define LOAD(name, T, store)                                                     \
  op_##name : {                                                                  \
    const std::uint64_t ea = static_cast<std::uint64_t>(u32(fp[A])) + pc[2].u64; \
    if (ea + sizeof(T) > mem_size) TRAP(TrapKind::MemoryOutOfBounds);            \
    T v;                                                                         \
    std::memcpy(&v, mem + ea, sizeof(T));                                        \
    fp[B] = store(v);                                                            \
    pc += 3;                                                                     \
    NEXT();                                                                      \
  }
#define STORE(name, T)                                                           \
  op_##name : {                                                                  \
    const std::uint64_t ea = static_cast<std::uint64_t>(u32(fp[A])) + pc[2].u64; \
    if (ea + sizeof(T) > mem_size) TRAP(TrapKind::MemoryOutOfBounds);            \
    const T v = static_cast<T>(fp[B]);                                           \
    std::memcpy(mem + ea, &v, sizeof(T));                                        \
    pc += 3;                                                                     \
    NEXT();                                                                      \
  }
#define SX32(v) ST32(static_cast<std::int32_t>(v))
#define SX64(v) ST64(static_cast<std::int64_t>(v))
  LOAD(i32_load, std::uint32_t, ST64)
  LOAD(i64_load, std::uint64_t, ST64)
  LOAD(f32_load, std::uint32_t, ST64)
  LOAD(f64_load, std::uint64_t, ST64)
  LOAD(i32_load8_s, std::int8_t, SX32)
  LOAD(i32_load8_u, std::uint8_t, ST64)
  LOAD(i32_load16_s, std::int16_t, SX32)
  LOAD(i32_load16_u, std::uint16_t, ST64)
  LOAD(i64_load8_s, std::int8_t, SX64)
  LOAD(i64_load8_u, std::uint8_t, ST64)
  LOAD(i64_load16_s, std::int16_t, SX64)
  LOAD(i64_load16_u, std::uint16_t, ST64)
  LOAD(i64_load32_s, std::int32_t, SX64)
  LOAD(i64_load32_u, std::uint32_t, ST64)
  STORE(i32_store, std::uint32_t)
  STORE(i64_store, std::uint64_t)
  STORE(f32_store, std::uint32_t)
  STORE(f64_store, std::uint64_t)
  STORE(i32_store8, std::uint8_t)
  STORE(i32_store16, std::uint16_t)
  STORE(i64_store8, std::uint8_t)
  STORE(i64_store16, std::uint16_t)
  STORE(i64_store32, std::uint32_t)

  // ---- internal instructions ----
x_copy:
  fp[B] = fp[A];
  pc += 2;
  NEXT();
x_const_:
  fp[A] = pc[2].u64;
  pc += 3;
  NEXT();
x_br:
  pc = pc[1].target;
  NEXT();
x_br_eqz:
  pc = u32(fp[A]) == 0 ? pc[2].target : pc + 3;
  NEXT();
x_br_nez:
  pc = u32(fp[A]) != 0 ? pc[2].target : pc + 3;
  NEXT();
  // Fused compare + branch (compiler: `cmp; br_if` and `cmp; if`).
#define BRCMP(name, expr)                                 \
  x_##name : {                                            \
    const std::uint64_t a = fp[A];                        \
    const std::uint64_t b = fp[B];                        \
    pc = (expr) ? pc[2].target : pc + 3;                  \
    NEXT();                                               \
  }
  BRCMP(br_eq32, u32(a) == u32(b))
  BRCMP(br_ne32, u32(a) != u32(b))
  BRCMP(br_lt_s32, s32(a) < s32(b))
  BRCMP(br_lt_u32, u32(a) < u32(b))
  BRCMP(br_gt_s32, s32(a) > s32(b))
  BRCMP(br_gt_u32, u32(a) > u32(b))
  BRCMP(br_le_s32, s32(a) <= s32(b))
  BRCMP(br_le_u32, u32(a) <= u32(b))
  BRCMP(br_ge_s32, s32(a) >= s32(b))
  BRCMP(br_ge_u32, u32(a) >= u32(b))
  BRCMP(br_eq64, a == b)
  BRCMP(br_ne64, a != b)
  BRCMP(br_lt_s64, s64(a) < s64(b))
  BRCMP(br_lt_u64, a < b)
  BRCMP(br_gt_s64, s64(a) > s64(b))
  BRCMP(br_gt_u64, a > b)
  BRCMP(br_le_s64, s64(a) <= s64(b))
  BRCMP(br_le_u64, a <= b)
  BRCMP(br_ge_s64, s64(a) >= s64(b))
  BRCMP(br_ge_u64, a >= b)
#undef BRCMP
x_br_table_ : {
  const std::uint32_t i = u32(fp[A]);
  const std::uint32_t n = B;
  pc = pc[2 + (i < n ? i : n)].target;
  NEXT();
}
x_ret : {
  const std::uint32_t src = A, n = B;
  if (src != 0) {
    for (std::uint32_t i = 0; i < n; ++i) fp[i] = fp[src + i];
  }
  if (s.frames_.size() == base_frames) goto done;
  const Store::CallFrame& fr = s.frames_.back();
  pc = fr.ret_pc;
  fp = fr.fp;
  inst = fr.inst;
  s.frames_.pop_back();
  REFRESH_MEM();
  NEXT();
}
x_call_ : {
  FuncInst* callee = inst->funcs_[A];
  std::uint64_t* nfp = fp + B;
  pc += 2;
  if (callee->is_host()) {
    s.fuel_ = fuel;
    host_trap = call_host(s, callee, inst, nfp);
    fuel = s.fuel_;
    if (host_trap) goto trap;
    REFRESH_MEM();
    NEXT();
  }
  {
    const CompiledFunc* cf = callee->code;
    if (s.frames_.size() >= lim.max_call_depth || nfp + cf->frame_slots > stack_end) {
      TRAP(TrapKind::CallStackExhausted);
    }
    s.frames_.push_back(Store::CallFrame{pc, fp, inst});
    std::memset(nfp + cf->num_params, 0, sizeof(std::uint64_t) * (cf->num_locals - cf->num_params));
    if (!cf->consts.empty())
      std::memcpy(nfp + cf->num_locals, cf->consts.data(), cf->consts.size() * sizeof(std::uint64_t));
    fp = nfp;
    if (callee->instance != inst) {
      inst = callee->instance;
      REFRESH_MEM();
    }
    pc = cf->code.data();
    NEXT();
  }
}
x_call_ind : {
  TableInst* t = inst->tables_[B];
  const std::uint32_t i = u32(fp[pc[2].s.b]);
  if (i >= t->elems.size()) TRAP(TrapKind::UndefinedElement);
  FuncInst* callee = reinterpret_cast<FuncInst*>(t->elems[i]);
  if (callee == nullptr) {
    host_trap = Trap{TrapKind::UninitializedElement, "uninitialized element " + std::to_string(i), 0};
    goto trap;
  }
  if (callee->type_id != A) TRAP(TrapKind::IndirectCallTypeMismatch);
  std::uint64_t* nfp = fp + pc[2].s.a;
  pc += 3;
  if (callee->is_host()) {
    s.fuel_ = fuel;
    host_trap = call_host(s, callee, inst, nfp);
    fuel = s.fuel_;
    if (host_trap) goto trap;
    REFRESH_MEM();
    NEXT();
  }
  {
    const CompiledFunc* cf = callee->code;
    if (s.frames_.size() >= lim.max_call_depth || nfp + cf->frame_slots > stack_end) {
      TRAP(TrapKind::CallStackExhausted);
    }
    s.frames_.push_back(Store::CallFrame{pc, fp, inst});
    std::memset(nfp + cf->num_params, 0, sizeof(std::uint64_t) * (cf->num_locals - cf->num_params));
    if (!cf->consts.empty())
      std::memcpy(nfp + cf->num_locals, cf->consts.data(), cf->consts.size() * sizeof(std::uint64_t));
    fp = nfp;
    inst = callee->instance;
    REFRESH_MEM();
    pc = cf->code.data();
    NEXT();
  }
}
x_trap_unreachable:
  TRAP(TrapKind::Unreachable);
x_select_:
  fp[pc[2].s.b] = u32(fp[A]) != 0 ? fp[B] : fp[pc[2].s.a];
  pc += 3;
  NEXT();
x_entry:
x_loop_head:
  fuel -= static_cast<std::int64_t>(pc[1].u64);
  if (fuel < 0) [[unlikely]]
    TRAP(TrapKind::OutOfFuel);
  if (interrupt != nullptr && interrupt->load(std::memory_order_relaxed)) [[unlikely]]
    TRAP(TrapKind::Interrupted);
  if (has_deadline && (++s.ticks_ & 1023) == 0 && std::chrono::steady_clock::now() >= *lim.deadline) [[unlikely]] {
    TRAP(TrapKind::DeadlineExceeded);
  }
  pc += 2;
  NEXT();
x_fuel:
  fuel -= static_cast<std::int64_t>(pc[1].u64);
  if (fuel < 0) [[unlikely]]
    TRAP(TrapKind::OutOfFuel);
  pc += 2;
  NEXT();
x_canon_f32:
  if (std::isnan(f32(fp[A]))) fp[A] = 0x7FC00000u;
  pc += 2;
  NEXT();
x_canon_f64:
  if (std::isnan(f64(fp[A]))) fp[A] = 0x7FF8000000000000ull;
  pc += 2;
  NEXT();
x_global_get_:
  fp[B] = inst->globals_[A]->bits;
  pc += 2;
  NEXT();
x_global_set_:
  inst->globals_[A]->bits = fp[B];
  pc += 2;
  NEXT();
x_table_get_ : {
  TableInst* t = inst->tables_[A];
  const std::uint32_t i = u32(fp[B]);
  if (i >= t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
  fp[B] = t->elems[i];
  pc += 2;
  NEXT();
}
x_table_set_ : {
  TableInst* t = inst->tables_[A];
  const std::uint32_t i = u32(fp[B]);
  if (i >= t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
  t->elems[i] = fp[B + 1];
  pc += 2;
  NEXT();
}
x_table_size_:
  fp[B] = static_cast<std::uint32_t>(inst->tables_[A]->elems.size());
  pc += 2;
  NEXT();
x_table_grow_ : {
  TableInst* t = inst->tables_[A];
  const std::uint32_t delta = u32(fp[B + 1]);
  const std::uint64_t old = t->elems.size();
  const std::int32_t r = t->grow(delta, fp[B]);
  if (r < 0 && lim.grow_failure == GrowFailure::Trap && old + delta <= t->type.limits.max.value_or(UINT32_MAX)) {
    TRAP(TrapKind::TableLimit);
  }
  fp[B] = static_cast<std::uint32_t>(r);
  pc += 2;
  NEXT();
}
x_table_fill_ : {
  TableInst* t = inst->tables_[A];
  const std::uint64_t i = u32(fp[B]), n = u32(fp[B + 2]);
  if (i + n > t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
  std::fill_n(t->elems.begin() + static_cast<std::ptrdiff_t>(i), n, fp[B + 1]);
  pc += 2;
  NEXT();
}
x_table_copy_ : {
  TableInst* dt = inst->tables_[A];
  TableInst* st = inst->tables_[B];
  const std::uint32_t sl = pc[2].s.a;
  const std::uint64_t d = u32(fp[sl]), sidx = u32(fp[sl + 1]), n = u32(fp[sl + 2]);
  if (sidx + n > st->elems.size() || d + n > dt->elems.size()) TRAP(TrapKind::TableOutOfBounds);
  if (n != 0) std::memmove(dt->elems.data() + d, st->elems.data() + sidx, n * sizeof(std::uint64_t));
  pc += 3;
  NEXT();
}
x_table_init_ : {
  const std::vector<std::uint64_t>& seg = inst->elems_[A];
  TableInst* t = inst->tables_[B];
  const std::uint32_t sl = pc[2].s.a;
  const std::uint64_t d = u32(fp[sl]), sidx = u32(fp[sl + 1]), n = u32(fp[sl + 2]);
  if (sidx + n > seg.size() || d + n > t->elems.size()) TRAP(TrapKind::TableOutOfBounds);
  if (n != 0) std::memcpy(t->elems.data() + d, seg.data() + sidx, n * sizeof(std::uint64_t));
  pc += 3;
  NEXT();
}
x_elem_drop_:
  inst->elems_[A].clear();
  inst->elems_[A].shrink_to_fit();
  pc += 2;
  NEXT();
x_memory_size_:
  fp[A] = inst->memories_[0]->pages();
  pc += 2;
  NEXT();
x_memory_grow_ : {
  MemInst* m = inst->memories_[0];
  const std::uint32_t delta = u32(fp[A]);
  const std::uint64_t old = m->pages();
  const std::int32_t r = m->grow(delta);
  if (r < 0 && lim.grow_failure == GrowFailure::Trap && old + delta <= m->type.limits.max.value_or(kMaxPages)) {
    TRAP(TrapKind::MemoryLimit);
  }
  fp[A] = static_cast<std::uint32_t>(r);
  REFRESH_MEM();
  pc += 2;
  NEXT();
}
x_memory_init_ : {
  std::span<const std::uint8_t> seg = inst->data_[A];
  const std::uint64_t d = u32(fp[B]), sidx = u32(fp[B + 1]), n = u32(fp[B + 2]);
  if (sidx + n > seg.size() || d + n > mem_size) TRAP(TrapKind::MemoryOutOfBounds);
  if (n != 0) std::memcpy(mem + d, seg.data() + sidx, n);
  pc += 2;
  NEXT();
}
x_data_drop_:
  inst->data_[A] = {};
  pc += 2;
  NEXT();
x_memory_copy_ : {
  const std::uint64_t d = u32(fp[A]), sidx = u32(fp[A + 1]), n = u32(fp[A + 2]);
  if (sidx + n > mem_size || d + n > mem_size) TRAP(TrapKind::MemoryOutOfBounds);
  if (n != 0) std::memmove(mem + d, mem + sidx, n);
  pc += 2;
  NEXT();
}
x_memory_fill_ : {
  const std::uint64_t d = u32(fp[A]), n = u32(fp[A + 2]);
  if (d + n > mem_size) TRAP(TrapKind::MemoryOutOfBounds);
  if (n != 0) std::memset(mem + d, static_cast<int>(fp[A + 1] & 0xFF), n);
  pc += 2;
  NEXT();
}
x_ref_is_null_:
  fp[B] = fp[A] == 0 ? 1 : 0;
  pc += 2;
  NEXT();
x_ref_func_:
  fp[B] = reinterpret_cast<std::uint64_t>(inst->funcs_[A]);
  pc += 2;
  NEXT();
op_bad:
  WG_UNREACHABLE();

trap:
  s.frames_.resize(base_frames);
  s.fuel_ = fuel;
  if (host_trap) return host_trap;
  return Trap::of(trap_kind);
done:
  s.fuel_ = fuel;
  return std::nullopt;
#undef NEXT
#undef A
#undef B
#undef TRAP
#undef REFRESH_MEM
}

std::optional<Trap> Machine::call_host(Store& s, FuncInst* f, ModuleInstance* caller, std::uint64_t* fp) {
  const FuncType& t = *f->type;
  std::vector<Value> args(t.params.size());
  for (std::size_t i = 0; i < args.size(); ++i) args[i] = Value{t.params[i], fp[i]};
  std::vector<Value> results(t.results.size());
  for (std::size_t i = 0; i < results.size(); ++i) results[i] = Value{t.results[i], 0};
  // A host function may re-enter the store (invoke): values above this
  // frame's arguments are free for it.
  const std::size_t saved = s.stack_used_;
  if (s.stack_) s.stack_used_ = static_cast<std::size_t>(fp - s.stack_.get()) + std::max(args.size(), results.size());
  HostCall call{s, caller};
  HostResult r = f->host(call, args, results);
  s.stack_used_ = saved;
  if (r) return r;
  for (std::size_t i = 0; i < results.size(); ++i) fp[i] = results[i].bits;
  return std::nullopt;
}

CallResult Machine::invoke(Store& s, FuncInst& f, std::span<const Value> args) {
  const FuncType& t = *f.type;
  if (args.size() != t.params.size()) return std::unexpected(Trap{TrapKind::Host, "argument count mismatch", 0});
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].type != t.params[i]) return std::unexpected(Trap{TrapKind::Host, "argument type mismatch", 0});
  }
  if (!s.stack_) s.stack_.reset(new std::uint64_t[s.limits_.max_stack_slots]);
  const std::size_t need = std::max(t.params.size(), t.results.size());
  if (s.stack_used_ + need > s.limits_.max_stack_slots) return std::unexpected(Trap::of(TrapKind::CallStackExhausted));
  std::uint64_t* fp = s.stack_.get() + s.stack_used_;
  for (std::size_t i = 0; i < args.size(); ++i) fp[i] = args[i].bits;
  std::optional<Trap> trap;
  if (f.is_host()) {
    trap = call_host(s, &f, nullptr, fp);
  } else {
    const std::size_t saved = s.stack_used_;
    trap = run(&s, &f, fp);
    s.stack_used_ = saved;
  }
  if (trap) return std::unexpected(std::move(*trap));
  std::vector<Value> results(t.results.size());
  for (std::size_t i = 0; i < results.size(); ++i) results[i] = Value{t.results[i], fp[i]};
  return results;
}

const void* const* handler_table() {
  static const bool init = (Machine::run(nullptr, nullptr, nullptr), true);
  (void)init;
  return Machine::table;
}

}  // namespace wg::wasm

;; Guest code for the engine's unit tests (tests/wasm/*_test.cc).
(module
  (memory (export "memory") 1 100)
  (table (export "table") 1 funcref)
  (global (export "counter") (mut i32) (i32.const 7))

  ;; 0: recursive factorial
  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))

  ;; 1: sum 1..n with a loop
  (func (export "sum") (param i32) (result i32) (local i32)
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 0)))
        (local.set 1 (i32.add (local.get 1) (local.get 0)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br 0)))
    (local.get 1))

  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))

  ;; unbounded recursion: must end in "call stack exhausted", not a host crash
  (func $recurse (export "recurse") (param i32) (result i32)
    (call $recurse (i32.add (local.get 0) (i32.const 1))))

  ;; an infinite loop: only fuel, the interrupt flag or a deadline ends it
  (func (export "spin") (loop (br 0)))

  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "table_grow") (param i32) (result i32) (table.grow 0 (ref.null func) (local.get 0)))
  (func (export "call_slot0") (result i32) (call_indirect (result i32) (i32.const 0)))
  (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "f32_div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
  (func (export "f64_add") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
  (func (export "bump") (result i32)
    (global.set 0 (i32.add (global.get 0) (i32.const 1)))
    (global.get 0))
  ;; br_table with a value carried to each target
  (func (export "classify") (param i32) (result i32)
    (block (result i32)
      (block (result i32)
        (block (result i32)
          (i32.const 100)
          (br_table 0 1 2 (local.get 0)))
        (i32.const 1)
        (i32.add))
      (i32.const 10)
      (i32.add)))
)

;; wasmgate spec script: the start function (WebAssembly 2.0 core, 2.5.9,
;; 3.4.9, 4.5.4): it runs once, after the element and data segments are
;; applied, and before any export can be invoked.

(module
  (memory 1)
  (data (i32.const 0) "A")
  (global $runs (mut i32) (i32.const 0))
  (func $start
    ;; sees the data segment already written
    (i32.store8 (i32.const 1) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1)))
    (global.set $runs (i32.add (global.get $runs) (i32.const 1))))
  (start $start)
  (func (export "runs") (result i32) (global.get $runs))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
  ;; the start function can also be called normally
  (func (export "call-start") (call $start))
)
(assert_return (invoke "runs") (i32.const 1))
(assert_return (invoke "byte" (i32.const 1)) (i32.const 0x42))
(assert_return (invoke "call-start"))
(assert_return (invoke "runs") (i32.const 2))

;; the start function sees element segments and may call through the table
(module
  (type $ret (func (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) func $seven)
  (func $seven (result i32) (i32.const 7))
  (global $seen (mut i32) (i32.const 0))
  (func $start (global.set $seen (call_indirect (type $ret) (i32.const 0))))
  (start $start)
  (func (export "seen") (result i32) (global.get $seen))
)
(assert_return (invoke "seen") (i32.const 7))

;; an imported function can be the start function
(module $Counter
  (global $n (mut i32) (i32.const 0))
  (func (export "tick") (global.set $n (i32.add (global.get $n) (i32.const 1))))
  (func (export "count") (result i32) (global.get $n))
)
(register "counter" $Counter)
(module
  (import "counter" "tick" (func $tick))
  (start $tick)
)
(assert_return (invoke $Counter "count") (i32.const 1))
(module
  (import "counter" "tick" (func $tick))
  (func $main (call $tick) (call $tick))
  (start $main)
)
(assert_return (invoke $Counter "count") (i32.const 3))

;; a trap in the start function fails instantiation
(assert_trap (module (func $s (unreachable)) (start $s)) "unreachable")
(assert_trap
  (module
    (import "counter" "tick" (func $tick))
    (func $s (call $tick) (drop (i32.trunc_f32_s (f32.const nan))))
    (start $s))
  "invalid conversion to integer")
;; ... after its side effects on imported state happened
(assert_return (invoke $Counter "count") (i32.const 4))

;; validation: the start function must have type [] -> []
(assert_invalid (module (func $s (param i32)) (start $s)) "start function")
(assert_invalid (module (func $s (result i32) (i32.const 0)) (start $s)) "start function")
(assert_invalid
  (module (import "spectest" "print_i32" (func $p (param i32))) (start $p))
  "start function")
(assert_invalid (module (func) (start 1)) "unknown function")

;; wasmgate spec script: call and call_indirect (WebAssembly 2.0 core, 4.4.8),
;; recursion, call stack exhaustion, and the call_indirect trap kinds.

(module
  (type $i32->i32 (func (param i32) (result i32)))
  (type $void (func))
  (type $i64->i64 (func (param i64) (result i64)))
  (type $two (func (result i32 i32)))

  (table $t 8 funcref)
  (elem (table $t) (i32.const 0) func $double $fac $nop $pair)
  ;; slots 4..7 stay null
  (table $t2 2 funcref)
  (elem (table $t2) (i32.const 1) func $triple)

  (func $double (type $i32->i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (type $i32->i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $nop (type $void))
  (func $pair (type $two) (i32.const 11) (i32.const 22))

  (func $fac (type $i64->i64)
    (if (result i64) (i64.le_u (local.get 0) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "fac") (param i64) (result i64) (call $fac (local.get 0)))

  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0)))

  (func $even (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 1))
      (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "even") (param i32) (result i32) (call $even (local.get 0)))

  ;; argument order: the first pushed operand is parameter 0
  (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "call-order") (result i32) (call $sub (i32.const 10) (i32.const 3)))
  (func $mixed (param i32 i64 f32 f64) (result f64)
    (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
             (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))))
  (func (export "call-mixed") (result f64)
    (call $mixed (i32.const -1) (i64.const 0x100000000) (f32.const 0.5) (f64.const 0.25)))

  (func (export "call-indirect") (param i32 i32) (result i32)
    (call_indirect $t (type $i32->i32) (local.get 0) (local.get 1)))
  (func (export "call-indirect-i64") (param i64 i32) (result i64)
    (call_indirect $t (type $i64->i64) (local.get 0) (local.get 1)))
  (func (export "call-indirect-void") (param i32)
    (call_indirect $t (type $void) (local.get 0)))
  (func (export "call-indirect-pair") (param i32) (result i32 i32)
    (call_indirect $t (type $two) (local.get 0)))
  (func (export "call-indirect-pair-sum") (param i32) (result i32)
    (i32.add (call_indirect $t (type $two) (local.get 0))))
  (func (export "call-indirect-t2") (param i32 i32) (result i32)
    (call_indirect $t2 (type $i32->i32) (local.get 0) (local.get 1)))

  ;; recursion depth checks
  (func $countdown (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $countdown (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "countdown") (param i32) (result i32) (call $countdown (local.get 0)))
  (func $runaway (call $runaway))
  (func (export "runaway") (call $runaway))
  (func $ping (param i64) (result i64) (call $pong (i64.add (local.get 0) (i64.const 1))))
  (func $pong (param i64) (result i64) (call $ping (local.get 0)))
  (func (export "mutual-runaway") (result i64) (call $ping (i64.const 0)))
  (func $indirect-runaway (call_indirect $t (type $void) (i32.const 5)))
  (table $self 1 funcref)
  (elem (table $self) (i32.const 0) func $self-call)
  (func $self-call (call_indirect $self (type $void) (i32.const 0)))
  (func (export "indirect-runaway") (call $self-call))
)

(assert_return (invoke "fac" (i64.const 0)) (i64.const 1))
(assert_return (invoke "fac" (i64.const 5)) (i64.const 120))
(assert_return (invoke "fac" (i64.const 20)) (i64.const 2432902008176640000))
(assert_return (invoke "fac" (i64.const 25)) (i64.const 7034535277573963776))
(assert_return (invoke "fib" (i32.const 0)) (i32.const 0))
(assert_return (invoke "fib" (i32.const 20)) (i32.const 6765))
(assert_return (invoke "even" (i32.const 100)) (i32.const 1))
(assert_return (invoke "even" (i32.const 77)) (i32.const 0))
(assert_return (invoke "call-order") (i32.const 7))
(assert_return (invoke "call-mixed") (f64.const 4294967295.75))

(assert_return (invoke "call-indirect" (i32.const 21) (i32.const 0)) (i32.const 42))
(assert_return (invoke "call-indirect-i64" (i64.const 10) (i32.const 1)) (i64.const 3628800))
(assert_return (invoke "call-indirect-void" (i32.const 2)))
(assert_return (invoke "call-indirect-pair" (i32.const 3)) (i32.const 11) (i32.const 22))
(assert_return (invoke "call-indirect-t2" (i32.const 5) (i32.const 1)) (i32.const 15))
;; signature mismatch: same arity, different types; different arity
(assert_trap (invoke "call-indirect" (i32.const 1) (i32.const 1)) "indirect call type mismatch")
(assert_trap (invoke "call-indirect-i64" (i64.const 1) (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "call-indirect-void" (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "call-indirect-pair-sum" (i32.const 3)) (i32.const 33))
(assert_trap (invoke "call-indirect-pair-sum" (i32.const 2)) "indirect call type mismatch")
;; null slots inside the table
(assert_trap (invoke "call-indirect" (i32.const 1) (i32.const 4)) "uninitialized element")
(assert_trap (invoke "call-indirect-void" (i32.const 7)) "uninitialized element")
(assert_trap (invoke "call-indirect-t2" (i32.const 1) (i32.const 0)) "uninitialized element")
;; index at and beyond the table size
(assert_trap (invoke "call-indirect" (i32.const 1) (i32.const 8)) "undefined element")
(assert_trap (invoke "call-indirect" (i32.const 1) (i32.const -1)) "undefined element")
(assert_trap (invoke "call-indirect-t2" (i32.const 1) (i32.const 2)) "undefined element")

(assert_return (invoke "countdown" (i32.const 1000)) (i32.const 1000))
(assert_exhaustion (invoke "runaway") "call stack exhausted")
(assert_exhaustion (invoke "mutual-runaway") "call stack exhausted")
(assert_exhaustion (invoke "indirect-runaway") "call stack exhausted")
;; the instance is still usable after exhaustion
(assert_return (invoke "fib" (i32.const 10)) (i32.const 55))

;; function types are compared structurally: a distinct but identical type
;; definition matches; state written before a trap is not rolled back
(module
  (type $a (func (param i32) (result i32)))
  (type $b (func (param i32) (result i32)))
  (type $c (func (param i32) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) func $inc)
  (func $inc (type $a) (i32.add (local.get 0) (i32.const 1)))
  (func (export "via-b") (param i32) (result i32) (call_indirect (type $b) (local.get 0) (i32.const 0)))
  (func (export "via-c") (param i32) (result i64) (call_indirect (type $c) (local.get 0) (i32.const 0)))
  (global $g (mut i32) (i32.const 0))
  (func $set-then-trap (global.set $g (i32.const 55)) (unreachable))
  (func (export "trap-after-write") (call $set-then-trap))
  (func (export "g") (result i32) (global.get $g))
)
(assert_return (invoke "via-b" (i32.const 41)) (i32.const 42))
(assert_trap (invoke "via-c" (i32.const 41)) "indirect call type mismatch")
(assert_return (invoke "g") (i32.const 0))
(assert_trap (invoke "trap-after-write") "unreachable")
(assert_return (invoke "g") (i32.const 55))

;; validation
(assert_invalid (module (func (call 1))) "unknown function")
(assert_invalid (module (func $f (param i32)) (func (call $f (i64.const 1)))) "type mismatch")
(assert_invalid (module (func $f (param i32 i32)) (func (call $f (i32.const 1)))) "type mismatch")
(assert_invalid (module (func $f (result i32) (i32.const 0)) (func (call $f))) "type mismatch")
(assert_invalid (module (func (call_indirect (type 0) (i32.const 0)))) "unknown table")
(assert_invalid
  (module (table 1 funcref) (func (call_indirect (type 3) (i32.const 0))))
  "unknown type")
(assert_invalid
  (module (type (func)) (table 1 funcref) (func (call_indirect (type 0) (i64.const 0))))
  "type mismatch")
(assert_invalid
  (module (type (func (param i32))) (table 1 funcref)
    (func (call_indirect (type 0) (f32.const 0) (i32.const 0))))
  "type mismatch")

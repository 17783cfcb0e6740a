;; wasmgate spec script: linking and instantiation (WebAssembly 2.0 core,
;; 4.5.1 import matching, 4.5.4 instantiation). Modules are registered under
;; names and imported by other modules; import mismatches are unlinkable;
;; traps during segment initialisation or in the start function make the
;; module uninstantiable (the text form is `assert_trap (module ...)`, which
;; wast2json records as assert_uninstantiable). Writes done by segments
;; before the failing one stay visible in shared memories and tables.

(module $Lib
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "nothing"))
  (memory (export "mem") 1 4)
  (data (i32.const 16) "lib")
  (table (export "tab") 4 8 funcref)
  (elem (i32.const 0) func $answer)
  (func $answer (result i32) (i32.const 42))
  (global (export "g-i32") i32 (i32.const 1234))
  (global (export "g-two") i32 (i32.const 2))
  (global (export "g-mut") (mut i64) (i64.const 5))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "mem-size") (result i32) (memory.size))
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
)
(register "lib" $Lib)

(module $Client
  (import "lib" "add" (func $add (param i32 i32) (result i32)))
  (import "lib" "mem" (memory 1))
  (import "lib" "tab" (table 2 funcref))
  (import "lib" "g-i32" (global $g i32))
  (func (export "add-g") (param i32) (result i32) (call $add (local.get 0) (global.get $g)))
  (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "call-slot0") (result i32) (call_indirect (result i32) (i32.const 0)))
  ;; re-export an import under another name
  (export "plus" (func $add))
)
(register "client" $Client)

(assert_return (invoke $Client "add-g" (i32.const 1)) (i32.const 1235))
(assert_return (invoke $Client "call-slot0") (i32.const 42))
(assert_return (invoke $Lib "load8" (i32.const 16)) (i32.const 0x6c))
(assert_return (invoke $Client "poke" (i32.const 16) (i32.const 0x4c)))
(assert_return (invoke $Lib "load8" (i32.const 16)) (i32.const 0x4c))
;; growing through one instance is visible through the other
(assert_return (invoke $Client "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke $Lib "mem-size") (i32.const 2))
(module $Reexport
  (import "client" "plus" (func $plus (param i32 i32) (result i32)))
  (func (export "twice") (param i32) (result i32) (call $plus (local.get 0) (local.get 0))))
(assert_return (invoke $Reexport "twice" (i32.const 21)) (i32.const 42))

;; the same function imported twice and stored into an imported table
(module
  (import "lib" "add" (func $a (param i32 i32) (result i32)))
  (import "lib" "add" (func $b (param i32 i32) (result i32)))
  (import "lib" "tab" (table 4 funcref))
  (elem (i32.const 1) func $a)
  (func (export "both") (result i32) (i32.add (call $a (i32.const 1) (i32.const 2)) (call $b (i32.const 3) (i32.const 4)))))
(assert_return (invoke "both") (i32.const 10))

;; segment offsets taken from imported immutable globals (1234 and 2)
(module
  (import "lib" "g-i32" (global $base i32))
  (import "lib" "g-two" (global $two i32))
  (import "lib" "mem" (memory 1))
  (import "lib" "tab" (table 4 funcref))
  (data (global.get $base) "\2a\2b")
  (func $nine (result i32) (i32.const 9))
  (elem (global.get $two) func $nine))
(assert_return (invoke $Lib "load8" (i32.const 1234)) (i32.const 0x2a))
(assert_return (invoke $Lib "load8" (i32.const 1235)) (i32.const 0x2b))
(assert_return (invoke $Lib "call" (i32.const 2)) (i32.const 9))

;; the spectest host module
(module
  (import "spectest" "global_i32" (global $sg i32))
  (import "spectest" "print_i32" (func $print (param i32)))
  (func (export "spectest-global") (result i32) (call $print (global.get $sg)) (global.get $sg)))
(assert_return (invoke "spectest-global") (i32.const 666))

;; unknown imports
(assert_unlinkable (module (import "lib" "no-such-export" (func))) "unknown import")
(assert_unlinkable (module (import "no-such-module" "add" (func))) "unknown import")
(assert_unlinkable (module (import "lib" "ADD" (func (param i32 i32) (result i32)))) "unknown import")

;; incompatible import types: kind, signature, limits, element type, global type
(assert_unlinkable (module (import "lib" "add" (global i32))) "incompatible import type")
(assert_unlinkable (module (import "lib" "g-i32" (func))) "incompatible import type")
(assert_unlinkable (module (import "lib" "mem" (table 1 funcref))) "incompatible import type")
(assert_unlinkable (module (import "lib" "tab" (memory 1))) "incompatible import type")
(assert_unlinkable (module (import "lib" "add" (func (param i32) (result i32)))) "incompatible import type")
(assert_unlinkable (module (import "lib" "add" (func (param i32 i32)))) "incompatible import type")
(assert_unlinkable (module (import "lib" "add" (func (param i64 i32) (result i32)))) "incompatible import type")
(assert_unlinkable (module (import "lib" "nothing" (func (result i32)))) "incompatible import type")
(assert_unlinkable (module (import "lib" "g-i32" (global i64))) "incompatible import type")
(assert_unlinkable (module (import "lib" "g-mut" (global i64))) "incompatible import type")
;; memory "lib.mem" is now 2 pages, maximum 4
(assert_unlinkable (module (import "lib" "mem" (memory 3))) "incompatible import type")
(assert_unlinkable (module (import "lib" "mem" (memory 1 3))) "incompatible import type")
(module (import "lib" "mem" (memory 0 5)))
(module (import "lib" "mem" (memory 2 4)))
(module (import "lib" "mem" (memory 0)))
;; table "lib.tab" is 4 elements, maximum 8
(assert_unlinkable (module (import "lib" "tab" (table 5 funcref))) "incompatible import type")
(assert_unlinkable (module (import "lib" "tab" (table 1 7 funcref))) "incompatible import type")
(assert_unlinkable (module (import "lib" "tab" (table 1 externref))) "incompatible import type")
(module (import "lib" "tab" (table 4 8 funcref)))
(module (import "lib" "tab" (table 0 funcref)))
;; a memory without maximum does not match an import requiring one
(module $NoMax (memory (export "m") 1) (table (export "t") 1 funcref))
(register "nomax" $NoMax)
(assert_unlinkable (module (import "nomax" "m" (memory 1 10))) "incompatible import type")
(assert_unlinkable (module (import "nomax" "t" (table 1 10 funcref))) "incompatible import type")

;; instantiation traps: data and element segments out of bounds
(assert_trap
  (module (import "lib" "mem" (memory 1)) (data (i32.const 0x20000) "x"))
  "out of bounds memory access")
(assert_trap
  (module (import "lib" "mem" (memory 1)) (data (i32.const 0x1ffff) "xy"))
  "out of bounds memory access")
(assert_trap
  (module (memory 0) (data (i32.const 0) "a"))
  "out of bounds memory access")
(module (memory 0) (data (i32.const 0) ""))
(assert_trap
  (module (memory 0) (data (i32.const 1) ""))
  "out of bounds memory access")
(assert_trap
  (module (import "lib" "tab" (table 1 funcref)) (func $f) (elem (i32.const 4) func $f))
  "out of bounds table access")
(assert_trap
  (module (table 2 funcref) (func $f) (elem (i32.const 1) func $f $f))
  "out of bounds table access")
(assert_trap
  (module (table 2 funcref) (elem (i32.const 3) func))
  "out of bounds table access")

;; segments applied before the failing one remain (2.0 semantics)
(assert_trap
  (module
    (import "lib" "mem" (memory 1))
    (data (i32.const 100) "kept")
    (data (i32.const 0x1fffe) "lost"))
  "out of bounds memory access")
(assert_return (invoke $Lib "load8" (i32.const 100)) (i32.const 0x6b))
(assert_return (invoke $Lib "load8" (i32.const 0x1fffe)) (i32.const 0))
(assert_trap
  (module
    (import "lib" "tab" (table 1 funcref))
    (func $f (result i32) (i32.const 13))
    (elem (i32.const 3) func $f)
    (elem (i32.const 4) func $f))
  "out of bounds table access")
(assert_return (invoke $Lib "call" (i32.const 3)) (i32.const 13))
;; element segments are applied before data segments: a failing element
;; segment means no data segment of that module is written
(assert_trap
  (module
    (import "lib" "mem" (memory 1))
    (import "lib" "tab" (table 1 funcref))
    (func $f)
    (elem (i32.const 9) func $f)
    (data (i32.const 200) "no"))
  "out of bounds table access")
(assert_return (invoke $Lib "load8" (i32.const 200)) (i32.const 0))

;; a trapping start function: the start function's writes stay visible
(assert_trap
  (module
    (import "lib" "mem" (memory 1))
    (data (i32.const 300) "d")
    (func $start (i32.store8 (i32.const 301) (i32.const 0x73)) (unreachable))
    (start $start))
  "unreachable")
(assert_return (invoke $Lib "load8" (i32.const 300)) (i32.const 0x64))
(assert_return (invoke $Lib "load8" (i32.const 301)) (i32.const 0x73))
(assert_trap
  (module (func $start (drop (i32.div_u (i32.const 1) (i32.const 0)))) (start $start))
  "integer divide by zero")
(assert_trap
  (module (memory 1) (func $start (drop (i32.load (i32.const 65536)))) (start $start))
  "out of bounds memory access")

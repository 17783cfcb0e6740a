;; Imports host functions: used by the host-function, interrupt and linking tests.
(module
  (import "env" "tick" (func $tick))
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "base" (global $base i32))
  (func (export "spin_ticking") (loop (call $tick) (br 0)))
  (func (export "add_base") (param i32) (result i32) (call $add (local.get 0) (global.get $base)))
)

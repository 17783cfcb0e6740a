;; A WASI command (it exports _start): Reactor::start must refuse it.
(module
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0))
  (func (export "_start")))

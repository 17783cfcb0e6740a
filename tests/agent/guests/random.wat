;; Prints 16 bytes from random_get as 32 hex digits and a newline: the
;; output shows which seed the run got.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\90\01\00\00\21\00\00\00")  ;; iovec {400, 33}
  (data (i32.const 100) "0123456789abcdef")
  (func (export "_start")
    (local $i i32) (local $b i32)
    (drop (call $random_get (i32.const 200) (i32.const 16)))
    (block $done
      (loop $next
        (br_if $done (i32.eq (local.get $i) (i32.const 16)))
        (local.set $b (i32.load8_u (i32.add (i32.const 200) (local.get $i))))
        (i32.store8 (i32.add (i32.const 400) (i32.shl (local.get $i) (i32.const 1)))
                    (i32.load8_u (i32.add (i32.const 100) (i32.shr_u (local.get $b) (i32.const 4)))))
        (i32.store8 (i32.add (i32.const 401) (i32.shl (local.get $i) (i32.const 1)))
                    (i32.load8_u (i32.add (i32.const 100) (i32.and (local.get $b) (i32.const 15)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store8 (i32.const 432) (i32.const 10))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 24)))))

;; A tiny WASI reactor for tests/wasi/reactor_test.cc: a bump allocator as
;; cabi_realloc, an _initialize that must run first, and exports taking
;; canonical-ABI strings. `bad_realloc` makes cabi_realloc misbehave.
(module
  (import "env" "note" (func $note (param i32)))
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (global $initialized (mut i32) (i32.const 0))
  (global $bad (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $initialized (i32.const 1)))
  (func (export "bad_realloc") (global.set $bad (i32.const 1)))
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32)
        (result i32)
    (local $p i32)
    (if (global.get $bad) (then (return (i32.const 65530))))
    ;; round up to the alignment
    (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (global.set $next (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  ;; initialized? 1 : trap
  (func (export "check-init") (result i32)
    (if (i32.eqz (global.get $initialized)) (then unreachable))
    (i32.const 1))
  ;; sum of the bytes of a string
  (func (export "byte-sum: func(s: string) -> u32") (param $ptr i32) (param $len i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $len)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $ptr))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $l)))
    (call $note (local.get $sum))
    (local.get $sum))
  ;; list<string>: count * 1000 + total length; also checks 4-byte alignment
  (func (export "list-shape: func(l: list<string>) -> u32") (param $ptr i32) (param $n i32) (result i32)
    (local $total i32) (local $i i32)
    (if (i32.and (local.get $ptr) (i32.const 3)) (then unreachable))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $total (i32.add (local.get $total)
                                   (i32.load offset=4 (i32.add (local.get $ptr) (i32.mul (local.get $i) (i32.const 8))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $total)))
)

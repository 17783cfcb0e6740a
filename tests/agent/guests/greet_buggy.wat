;; Writes "helo, world\n" to /out.txt and exits 0: the buggy version of the
;; program the scripted model writes, runs and fixes in prompt_test.cc.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "\c8\00\00\00\0c\00\00\00")  ;; iovec {200, 12}
  (data (i32.const 200) "helo, world\0a")
  (data (i32.const 300) "out.txt")
  (func (export "_start")
    ;; fd 3 is the preopened root; oflags 9 = O_CREAT | O_TRUNC.
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 7) (i32.const 9)
                         (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 16))
      (then (call $proc_exit (i32.const 10))))
    (drop (call $fd_write (i32.load (i32.const 16)) (i32.const 8) (i32.const 1) (i32.const 24)))
    (call $proc_exit (i32.const 0))))

;; Writes /out.txt, then loops forever: only fuel (or the deadline) ends it,
;; and the file it wrote must then be discarded.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "\c8\00\00\00\10\00\00\00")
  (data (i32.const 200) "data from guest\n")
  (data (i32.const 300) "out.txt")
  (func (export "_start")
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 7) (i32.const 9)
                         (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 16))
      (then (call $proc_exit (i32.const 10))))
    (drop (call $fd_write (i32.load (i32.const 16)) (i32.const 8) (i32.const 1) (i32.const 24)))
    (loop $forever (br $forever))))

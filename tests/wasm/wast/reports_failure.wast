;; Deliberately wrong expectations: checks that `wasmgate wast` reports each
;; failure as FILE:LINE and counts it (tests/wasm/CMakeLists.txt).
(module (func (export "five") (result i32) (i32.const 5)))
(assert_return (invoke "five") (i32.const 5))
(assert_return (invoke "five") (i32.const 6))
(assert_trap (invoke "five") "unreachable")

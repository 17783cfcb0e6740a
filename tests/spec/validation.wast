;; wasmgate spec script: validation (WebAssembly 2.0 core, chapter 3).
;; One or more cases for each family of validation rule; the
;; instruction-specific operand type checks also live in the file of each
;; instruction family (i32.wast, control.wast, memory.wast, ...).

;; --- operand stack typing -------------------------------------------------
(assert_invalid (module (func (drop))) "type mismatch")
(assert_invalid (module (func (i32.const 1))) "type mismatch")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (result i32) (nop))) "type mismatch")
(assert_invalid (module (func (result f32) (f64.const 0))) "type mismatch")
(assert_invalid (module (func (result i32 i64) (i64.const 0) (i32.const 0))) "type mismatch")
(assert_invalid (module (func (param i32) (result i64) (local.get 0))) "type mismatch")
(assert_invalid (module (func (block (result i32) (i32.const 0)) (i32.const 0) (i32.add))) "type mismatch")
;; values of an enclosing block are not visible inside a nested block
(assert_invalid (module (func (result i32) (i32.const 1) (block (result i32) (i32.eqz)))) "type mismatch")
(assert_invalid (module (func (i32.const 1) (loop (drop)))) "type mismatch")
;; unreachable code is still checked where types are known
(assert_invalid (module (func (unreachable) (i64.const 0) (i32.eqz) (drop))) "type mismatch")
(assert_invalid (module (func (result i32) (return (i32.const 0)) (f32.const 0))) "type mismatch")
;; ... but an empty polymorphic stack supplies any operand
(module (func (result i32) (unreachable) (i32.eqz)))
(module (func (result f64) (block (br 0) (i32.add) (drop)) (f64.const 0)))

;; --- typed select and result arity ----------------------------------------
(assert_invalid
  (module (func (select (result i32 i32) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1)) (drop) (drop)))
  "invalid result arity")
(assert_invalid (module (func (select (nop) (nop) (i32.const 1)))) "type mismatch")
(assert_invalid (module (func (param externref) (result externref)
  (select (local.get 0) (local.get 0) (i32.const 0)))) "type mismatch")

;; --- index spaces ---------------------------------------------------------
(assert_invalid (module (func (param i32) (local.get 1) (drop))) "unknown local")
(assert_invalid (module (func (local.set 0 (i32.const 0)))) "unknown local")
(assert_invalid (module (global i32 (i32.const 0)) (func (global.get 1) (drop))) "unknown global")
(assert_invalid (module (func (global.set 0 (i32.const 0)))) "unknown global")
(assert_invalid (module (func (call 5))) "unknown function")
(assert_invalid (module (export "f" (func 0))) "unknown function")
(assert_invalid (module (start 0)) "unknown function")
(assert_invalid (module (table 1 funcref) (elem (i32.const 0) func 3)) "unknown function")
(assert_invalid (module (func (table.get 0 (i32.const 0)) (drop))) "unknown table")
(assert_invalid (module (export "t" (table 0))) "unknown table")
(assert_invalid (module (elem (table 0) (i32.const 0) func)) "unknown table")
(assert_invalid (module (func (i32.load (i32.const 0)) (drop))) "unknown memory")
(assert_invalid (module (func (i64.store16 (i32.const 0) (i64.const 0)))) "unknown memory")
(assert_invalid (module (func (memory.size) (drop))) "unknown memory")
(assert_invalid (module (func (memory.grow (i32.const 0)) (drop))) "unknown memory")
(assert_invalid (module (export "m" (memory 0))) "unknown memory")
(assert_invalid (module (data (i32.const 0) "x")) "unknown memory")
(assert_invalid (module (export "g" (global 0))) "unknown global")
(assert_invalid (module (func (type 2))) "unknown type")
(assert_invalid (module (import "m" "f" (func (type 1)))) "unknown type")
;; a block type that names a missing type index (given in binary form: the
;; text form cannot name an undefined type); its neighbour uses type 0
(assert_invalid
  (module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"        ;; type section: one type [] -> []
    "\03\02\01\00"              ;; function section
    "\0a\07\01\05\00"           ;; code section, body of 5 bytes, no locals
    "\02\01\0b"                ;; block (type 1) end
    "\0b")                     ;; end
  "unknown type")
(module binary
  "\00asm" "\01\00\00\00"
  "\01\04\01\60\00\00" "\03\02\01\00" "\0a\07\01\05\00" "\02\00\0b" "\0b")
(assert_invalid (module (memory 1) (data "") (func (data.drop 1))) "unknown data segment")
(assert_invalid (module (elem func) (func (elem.drop 1))) "unknown elem segment")
(assert_invalid (module (func (br 0) (br 1))) "unknown label")
(assert_invalid (module (func (block (loop (br_if 3 (i32.const 0)))))) "unknown label")

;; --- mutability -----------------------------------------------------------
(assert_invalid (module (global i64 (i64.const 0)) (func (global.set 0 (i64.const 1))))
  "global is immutable")
(assert_invalid
  (module (import "spectest" "global_i32" (global i32)) (func (global.set 0 (i32.const 1))))
  "global is immutable")

;; --- memory instructions: alignment ----------------------------------------
(assert_invalid (module (memory 1) (func (drop (i32.load8_s align=2 (i32.const 0)))))
  "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i32.load16_u align=4 (i32.const 0)))))
  "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))
  "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i64.load32_s align=8 (i32.const 0)))))
  "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (i64.load align=16 (i32.const 0)))))
  "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (drop (f32.load align=8 (i32.const 0)))))
  "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (i64.store8 align=2 (i32.const 0) (i64.const 0))))
  "alignment must not be larger than natural")
(assert_invalid (module (memory 1) (func (f64.store align=16 (i32.const 0) (f64.const 0))))
  "alignment must not be larger than natural")
(module (memory 1) (func (drop (i64.load align=8 (i32.const 0))) (i32.store16 align=2 (i32.const 0) (i32.const 0))))

;; --- limits ---------------------------------------------------------------
(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")
(assert_invalid (module (table 3 2 funcref)) "size minimum must not be greater than maximum")
(assert_invalid (module (memory 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0 65537)) "memory size must be at most 65536 pages (4GiB)")
(assert_invalid (module (memory 0x80000000)) "memory size must be at most 65536 pages (4GiB)")
(module (memory 0 65536))
(module (memory 0 0))
(module (table 0 0xffffffff funcref))

;; --- only one memory in 2.0; several tables are fine ------------------------
(assert_invalid (module (memory 1) (memory 1)) "multiple memories")
(assert_invalid (module (import "spectest" "memory" (memory 1)) (memory 0)) "multiple memories")
(assert_invalid
  (module (import "spectest" "memory" (memory 1)) (import "spectest" "memory" (memory 1)))
  "multiple memories")
(module (table 1 funcref) (table 1 externref) (table 0 funcref))

;; --- exports --------------------------------------------------------------
(assert_invalid (module (func) (export "x" (func 0)) (export "x" (func 0))) "duplicate export name")
(assert_invalid
  (module (func) (memory 1) (export "x" (func 0)) (export "x" (memory 0)))
  "duplicate export name")
(assert_invalid
  (module (global i32 (i32.const 0)) (table 0 funcref) (export "" (global 0)) (export "" (table 0)))
  "duplicate export name")
(module (func) (export "x" (func 0)) (export "X" (func 0)) (export "x " (func 0)))

;; --- start function type ---------------------------------------------------
(assert_invalid (module (func (param f64)) (start 0)) "start function")
(assert_invalid (module (func (result i64) (i64.const 0)) (start 0)) "start function")

;; --- constant expressions ---------------------------------------------------
(assert_invalid (module (memory 1) (data (i32.add (i32.const 0) (i32.const 1)) "x"))
  "constant expression required")
(assert_invalid (module (table 1 funcref) (func $f) (elem (i32.eqz (i32.const 0)) func $f))
  "constant expression required")
(assert_invalid (module (global f32 (f32.neg (f32.const 1)))) "constant expression required")
(assert_invalid (module (global i32 (i32.const 0) (drop) (i32.const 0))) "constant expression required")
(assert_invalid (module (memory 1) (data (i64.const 0) "x")) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (i64.const 0) func)) "type mismatch")
(assert_invalid (module (table 1 funcref) (elem (i32.const 0) funcref (i32.const 0))) "type mismatch")
(assert_invalid
  (module (global $g (mut i32) (i32.const 0)) (memory 1) (data (global.get $g) "x"))
  "unknown global")
(assert_invalid
  (module (import "spectest" "global_i32" (global i32)) (memory 1) (data (global.get 1) "x"))
  "unknown global")
;; an immutable imported global is a valid offset
(module (import "spectest" "global_i32" (global i32)) (memory 1) (data (global.get 0) "x"))

;; --- function references must be declared -----------------------------------
(assert_invalid (module (func $f (result funcref) (ref.func $f))) "undeclared function reference")
(assert_invalid (module (start $f) (func $f (drop (ref.func $f)))) "undeclared function reference")
;; declarations: an elem segment (any mode), an export, or a global initialiser
(module (func $f (result funcref) (ref.func $f)) (elem declare func $f))
(module (func $f (result funcref) (ref.func $f)) (export "f" (func $f)))
(module (func $f (result funcref) (ref.func $f)) (global funcref (ref.func $f)))
(module (table 1 funcref) (func $f (result funcref) (ref.func $f)) (elem (i32.const 0) func $f))

;; --- elem / data segments -------------------------------------------------
(assert_invalid (module (table 1 externref) (func $f) (elem (i32.const 0) func $f)) "type mismatch")
(module (table 1 externref) (elem (i32.const 0) externref (ref.null extern)))

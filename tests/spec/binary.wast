;; wasmgate spec script: binary format (WebAssembly 2.0 core, chapter 5).
;; Every assert_malformed module differs from a well-formed neighbour (also
;; present here as a plain `module binary`) in exactly the defect named in
;; its comment. Expected messages use the official testsuite wording.
;; The last part has text-format (`module quote`) cases.

;; --- header -----------------------------------------------------------------
(module binary "\00asm" "\01\00\00\00")
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\00as") "unexpected end")
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00") "unexpected end")
(assert_malformed (module binary "\00ASM\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "asm\00\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\7fELF\01\00\00\00") "magic header not detected")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\00\00\00\01") "unknown binary version")
(assert_malformed (module binary "\00asm\01\00\01\00") "unknown binary version")

;; --- sections: ids, order, sizes -------------------------------------------
;; type, function, code: well formed
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\0a\04\01\02\00\0b"  ;; code section
)
;; custom sections may appear anywhere
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\00\06\03\61\62\63\01\02"  ;; custom section "abc" between sections
    "\03\02\01\00"  ;; function section
    "\00\01\00"  ;; custom section with empty name
    "\0a\04\01\02\00\0b"  ;; code section
    "\00\02\01\7a"  ;; custom section at the end
)
;; section id 13 is not defined in 2.0
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\0d\00"  ;; section id 13
  )
  "malformed section id")
;; section id 127
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\7f\00"  ;; section id 127
  )
  "malformed section id")
;; function section after memory section
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\05\03\01\00\01"  ;; memory section
      "\03\02\01\00"  ;; function section out of order
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "unexpected content after last section")
;; duplicate type section
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\01\04\01\60\00\00"  ;; type section again
  )
  "unexpected content after last section")
;; data count section after the data section
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\05\03\01\00\01"  ;; memory section
      "\0b\01\00"  ;; data section, 0 segments
      "\0c\01\00"  ;; data count section after data
  )
  "unexpected content after last section")
;; memory section after code section
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\04\01\02\00\0b"  ;; code section
      "\05\03\01\00\01"  ;; memory section after code
  )
  "unexpected content after last section")
;; section larger than its content
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\05\01\60\00\00\00"  ;; type section of size 5 holding 4 bytes of content plus one stray byte
  )
  "section size mismatch")
;; more entries in a section than its count
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\03\01\00\00"  ;; function section of 3 bytes: count 1, two entries
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "section size mismatch")
;; section size beyond the end of the module
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\09\01\60\00\00"  ;; type section claims 9 bytes, 4 remain
  )
  "length out of bounds")
;; section header cut off
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01"  ;; type section id, size missing
  )
  "unexpected end")
;; section size LEB128 cut off
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\80"  ;; unterminated LEB128 size
  )
  "unexpected end")
;; custom section without size
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\00"  ;; custom section id only
  )
  "unexpected end")
;; custom section name longer than the section, at the end of the module
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\00\03\08\61\62"  ;; custom section of 3 bytes: name length 8, only 2 name bytes
  )
  "length out of bounds")

;; --- LEB128 integers ----------------------------------------------------------
;; a u32 may use up to 5 bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\05\07\01\00\82\80\80\80\00"  ;; memory min 2 encoded in 5 bytes
)
;; u32 in 6 bytes
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\05\08\01\00\82\80\80\80\80\00"  ;; memory min 2 encoded in 6 bytes
  )
  "integer representation too long")
;; u32 5th byte uses more than 4 bits
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\05\07\01\00\80\80\80\80\10"  ;; memory min with bit 32 set
  )
  "integer too large")
;; u32 limits maximum too large
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\05\08\01\01\00\80\80\80\80\40"  ;; memory max with high bits in 5th byte
  )
  "integer too large")
;; function type index in 6 bytes
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\07\01\80\80\80\80\80\00"  ;; type index 0 in 6 bytes
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "integer representation too long")
;; vector length in 6 bytes
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\06\81\80\80\80\80\00"  ;; function count 1 in 6 bytes
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "integer representation too long")
;; i32.const 0x7fffffff in 5 bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\0a\0b\01\09\00\41\ff\ff\ff\ff\07\1a\0b"  ;; code: i32.const \ff\ff\ff\ff\07, drop, end
)
;; i32.const -0x80000000 in 5 bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\0a\0b\01\09\00\41\80\80\80\80\78\1a\0b"  ;; code: i32.const \80\80\80\80\78, drop, end
)
;; i32.const -1, padded to 5 bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\0a\0b\01\09\00\41\ff\ff\ff\ff\7f\1a\0b"  ;; code: i32.const \ff\ff\ff\ff\7f, drop, end
)
;; s32: unused bits set on a positive value
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\0b\01\09\00\41\80\80\80\80\70\1a\0b"  ;; code: i32.const \80\80\80\80\70, drop, end
  )
  "integer too large")
;; s32: unused bits clear on a negative value
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\0b\01\09\00\41\ff\ff\ff\ff\0f\1a\0b"  ;; code: i32.const \ff\ff\ff\ff\0f, drop, end
  )
  "integer too large")
;; s32 in 6 bytes
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\0c\01\0a\00\41\80\80\80\80\80\00\1a\0b"  ;; code: i32.const \80\80\80\80\80\00, drop, end
  )
  "integer representation too long")
;; i64.const 0x7fffffffffffffff in 10 bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\0a\10\01\0e\00\42\ff\ff\ff\ff\ff\ff\ff\ff\ff\00\1a\0b"  ;; code: i64.const \ff\ff\ff\ff\ff\ff\ff\ff\ff\00, drop, end
)
;; i64.const -0x8000000000000000 in 10 bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\0a\10\01\0e\00\42\80\80\80\80\80\80\80\80\80\7f\1a\0b"  ;; code: i64.const \80\80\80\80\80\80\80\80\80\7f, drop, end
)
;; s64: 10th byte uses more than 1 bit
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\10\01\0e\00\42\80\80\80\80\80\80\80\80\80\02\1a\0b"  ;; code: i64.const \80\80\80\80\80\80\80\80\80\02, drop, end
  )
  "integer too large")
;; s64: 10th byte not a sign extension
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\10\01\0e\00\42\ff\ff\ff\ff\ff\ff\ff\ff\ff\7e\1a\0b"  ;; code: i64.const \ff\ff\ff\ff\ff\ff\ff\ff\ff\7e, drop, end
  )
  "integer too large")
;; s64 in 11 bytes
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\11\01\0f\00\42\80\80\80\80\80\80\80\80\80\80\00\1a\0b"  ;; code: i64.const \80\80\80\80\80\80\80\80\80\80\00, drop, end
  )
  "integer representation too long")
;; memarg offset too large
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\05\03\01\00\01"  ;; memory section
      "\0a\0e\01\0c\00\41\00\28\02\80\80\80\80\10\1a\0b"  ;; code: i32.load offset with bit 32 set
  )
  "integer too large")

;; --- counts that must agree -----------------------------------------------------
;; more functions than bodies
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\03\02\00\00"  ;; two functions
      "\0a\04\01\02\00\0b"  ;; one body
  )
  "function and code section have inconsistent lengths")
;; more bodies than functions
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; one function
      "\0a\07\02\02\00\0b\02\00\0b"  ;; two bodies
  )
  "function and code section have inconsistent lengths")
;; code section missing
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; one function, no code section
  )
  "function and code section have inconsistent lengths")
;; function section missing
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\0a\04\01\02\00\0b"  ;; one body, no function section
  )
  "function and code section have inconsistent lengths")
;; data count matching the data section
(module binary
    "\00asm" "\01\00\00\00"
    "\05\03\01\00\01"  ;; memory section
    "\0c\01\02"  ;; data count 2
    "\0b\06\02\01\01\61\01\00"  ;; two passive segments
)
;; fewer segments declared than present
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\05\03\01\00\01"  ;; memory section
      "\0c\01\01"  ;; data count 1
      "\0b\06\02\01\01\61\01\00"  ;; two passive segments
  )
  "data count and data section have inconsistent lengths")
;; more segments declared than present
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\05\03\01\00\01"  ;; memory section
      "\0c\01\03"  ;; data count 3
      "\0b\04\01\01\01\61"  ;; one passive segment
  )
  "data count and data section have inconsistent lengths")
;; memory.init without a data count section
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\05\03\01\00\01"  ;; memory section
      "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\08\00\00\0b"  ;; memory.init 0
      "\0b\04\01\01\01\78"  ;; data section
  )
  "data count section required")
;; data.drop without a data count section
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\05\03\01\00\01"  ;; memory section
      "\0a\07\01\05\00\fc\09\00\0b"  ;; data.drop 0
      "\0b\04\01\01\01\78"  ;; data section
  )
  "data count section required")

;; --- locals --------------------------------------------------------------------
;; local declarations
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\0a\08\01\06\02\03\7f\02\7e\0b"  ;; 3 i32 + 2 i64 locals
)
;; more than 2^32-1 locals in total
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\0c\01\0a\02\ff\ff\ff\ff\0f\7f\01\7e\0b"  ;; 0xffffffff i32 locals + 1 i64
  )
  "too many locals")
;; local counts summing past 2^32
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\12\01\10\03\80\80\80\80\08\7f\80\80\80\80\08\7d\01\7c\0b"  ;; 2^31 i32 + 2^31 f32 + 1 f64
  )
  "too many locals")

;; --- instructions ----------------------------------------------------------
;; opcode 0x27 is unassigned
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\05\01\03\00\27\0b"  ;; code
  )
  "illegal opcode")
;; opcode 0xc5 is unassigned
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\05\01\03\00\c5\0b"  ;; code
  )
  "illegal opcode")
;; prefixed opcode 0xfc 18 is unassigned
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\08\01\06\00\41\00\fc\12\0b"  ;; code
  )
  "illegal opcode")
;; memory.size and memory.grow with their zero bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\05\03\01\00\01"  ;; memory section
    "\0a\0c\01\0a\00\3f\00\1a\41\00\40\00\1a\0b"  ;; code
)
;; memory.size reserved byte 1
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\05\03\01\00\01"  ;; memory section
      "\0a\07\01\05\00\3f\01\1a\0b"  ;; code
  )
  "zero byte expected")
;; memory.grow reserved byte 1
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\05\03\01\00\01"  ;; memory section
      "\0a\09\01\07\00\41\00\40\01\1a\0b"  ;; code
  )
  "zero byte expected")
;; memory.fill reserved byte 1
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\05\03\01\00\01"  ;; memory section
      "\0a\0d\01\0b\00\41\00\41\00\41\00\fc\0b\01\0b"  ;; code
  )
  "zero byte expected")
;; memory.copy second reserved byte 1
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\05\03\01\00\01"  ;; memory section
      "\0a\0e\01\0c\00\41\00\41\00\41\00\fc\0a\00\01\0b"  ;; code
  )
  "zero byte expected")
;; function body missing its end opcode
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\0a\06\01\04\00\41\01\1a"  ;; body without end, at end of module
  )
  "unexpected end")
;; global mutability flag out of range
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\06\06\01\7f\02\41\00\0b"  ;; global i32 with mutability byte 2
  )
  "malformed mutability")
;; import kind out of range
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\02\05\01\00\00\05\00"  ;; import kind 5
  )
  "malformed import kind")

;; --- names must be UTF-8 ---------------------------------------------------------
;; export name with 3- and 4-byte sequences
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\07\0b\01\07\e2\82\ac\f0\9f\98\80\00\00"  ;; export "\e2\82\ac\f0\9f\98\80"
    "\0a\04\01\02\00\0b"  ;; code section
)
;; empty export name
(module binary
    "\00asm" "\01\00\00\00"
    "\01\04\01\60\00\00"  ;; type section
    "\03\02\01\00"  ;; function section
    "\07\04\01\00\00\00"  ;; export ""
    "\0a\04\01\02\00\0b"  ;; code section
)
;; export name: lone continuation byte
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\05\01\01\80\00\00"  ;; export "\80"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; export name: overlong 2-byte encoding of NUL
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\06\01\02\c0\80\00\00"  ;; export "\c0\80"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; export name: overlong 3-byte encoding
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\07\01\03\e0\80\af\00\00"  ;; export "\e0\80\af"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; export name: UTF-16 surrogate half
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\07\01\03\ed\a0\80\00\00"  ;; export "\ed\a0\80"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; export name: code point above U+10FFFF
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\08\01\04\f4\90\80\80\00\00"  ;; export "\f4\90\80\80"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; export name: truncated 3-byte sequence
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\06\01\02\e2\82\00\00"  ;; export "\e2\82"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; export name: 5-byte sequence
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\09\01\05\f8\88\80\80\80\00\00"  ;; export "\f8\88\80\80\80"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; export name: byte 0xff
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\03\02\01\00"  ;; function section
      "\07\07\01\03\61\ff\62\00\00"  ;; export "\61\ff\62"
      "\0a\04\01\02\00\0b"  ;; code section
  )
  "malformed UTF-8 encoding")
;; import module name
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\02\08\01\02\c1\bf\01\66\00\00"  ;; import module name overlong
  )
  "malformed UTF-8 encoding")
;; import field name
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\01\04\01\60\00\00"  ;; type section
      "\02\07\01\01\6d\01\df\00\00"  ;; import field name truncated
  )
  "malformed UTF-8 encoding")
;; custom section name
(assert_malformed
  (module binary
      "\00asm" "\01\00\00\00"
      "\00\09\01\fe\70\61\79\6c\6f\61\64"  ;; custom section name 0xfe
  )
  "malformed UTF-8 encoding")
;; custom section payload may hold any bytes
(module binary
    "\00asm" "\01\00\00\00"
    "\00\06\02\6f\6b\ff\fe\80"  ;; custom payload is not checked
)

;; --- text format (module quote) ---------------------------------------------
;; Only cases wast2json can express: the quoted text must fail to parse.
(assert_malformed (module quote "(func (i32.addd (i32.const 1) (i32.const 2)) drop)") "unknown operator")
(assert_malformed (module quote "(func (drop (i32.const 0x100000000)))") "constant out of range")
(assert_malformed (module quote "(func (drop (i32.const -0x80000001)))") "constant out of range")
(assert_malformed (module quote "(func (drop (i64.const 0x10000000000000000)))") "constant out of range")
(assert_malformed (module quote "(func (drop (f32.const 0x1p128)))") "constant out of range")
(assert_malformed (module quote "(memory 1) (func (drop (i32.load align=3 (i32.const 0))))")
  "alignment")
(assert_malformed (module quote "(func $f) (func $f)") "duplicate func")
(assert_malformed (module quote "(func (local $x i32) (local $x i64))") "duplicate local")
(assert_malformed (module quote "(func block $a end $b)") "mismatching label")
(assert_malformed (module quote "(func loop end $x)") "mismatching label")
(assert_malformed (module quote "(func (i32.const 0) (drop) (unknown_instr))") "unknown operator")

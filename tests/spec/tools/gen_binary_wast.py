#!/usr/bin/env python3
"""Generates tests/spec/binary.wast.

Section and body sizes in hand-written `module binary` strings are easy to get
wrong, which would make a case malformed for the wrong reason. This script
builds every module from small helpers that compute the sizes, prints each one
next to a well-formed neighbour, and writes the result to stdout:

    python3 tests/spec/tools/gen_binary_wast.py > tests/spec/binary.wast

Re-run it after editing and verify the output with wabt (docs/spec-suite.md).
"""
def esc(bs): return ''.join('\\%02x' % b for b in bs)
def leb(n):
    out=[]
    while True:
        b=n&0x7f; n>>=7
        if n: out.append(b|0x80)
        else: out.append(b); return bytes(out)
def sec(id_, payload): return bytes([id_])+leb(len(payload))+payload
def vec(items): return leb(len(items))+b''.join(items)
def name(s): return leb(len(s))+s
HDR=b'\x00asm\x01\x00\x00\x00'
TYPE0=sec(1, vec([b'\x60\x00\x00']))          # (func)
FUNC1=sec(3, vec([b'\x00']))                 # one function of type 0
def body(instrs, locals_=b'\x00'): p=locals_+instrs; return leb(len(p))+p
def code(*bodies): return sec(10, vec(list(bodies)))
MEM=sec(5, vec([b'\x00\x01']))               # (memory 1)

out=[]
def line(s=''): out.append(s)
def parts(*chunks):
    # chunks: (bytes, comment)
    r=[]
    for bs,c in chunks:
        r.append('    "%s"%s' % (esc(bs), ('  ;; '+c) if c else ''))
    return '\n'.join(r)
def mod(chunks): return '(module binary\n    "\\00asm" "\\01\\00\\00\\00"\n' + parts(*chunks) + '\n)'
def valid(chunks, comment):
    line(';; ' + comment); line(mod(chunks))
def malformed(chunks, msg, comment):
    line(';; ' + comment); line('(assert_malformed\n  ' + mod(chunks).replace('\n','\n  ') + '\n  "%s")' % msg)

line(''';; wasmgate spec script: binary format (WebAssembly 2.0 core, chapter 5).
;; Every assert_malformed module differs from a well-formed neighbour (also
;; present here as a plain `module binary`) in exactly the defect named in
;; its comment. Expected messages use the official testsuite wording.
;; The last part has text-format (`module quote`) cases.

;; --- header -----------------------------------------------------------------
(module binary "\\00asm" "\\01\\00\\00\\00")
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module binary "\\00as") "unexpected end")
(assert_malformed (module binary "\\00asm") "unexpected end")
(assert_malformed (module binary "\\00asm\\01\\00\\00") "unexpected end")
(assert_malformed (module binary "\\00ASM\\01\\00\\00\\00") "magic header not detected")
(assert_malformed (module binary "asm\\00\\01\\00\\00\\00") "magic header not detected")
(assert_malformed (module binary "\\7fELF\\01\\00\\00\\00") "magic header not detected")
(assert_malformed (module binary "\\00asm\\02\\00\\00\\00") "unknown binary version")
(assert_malformed (module binary "\\00asm\\00\\00\\00\\01") "unknown binary version")
(assert_malformed (module binary "\\00asm\\01\\00\\01\\00") "unknown binary version")
''')

line(';; --- sections: ids, order, sizes -------------------------------------------')
valid([(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x0b')),'code section')], 'type, function, code: well formed')
valid([(TYPE0,'type section'),(sec(0,name(b'abc')+b'\x01\x02'),'custom section "abc" between sections'),(FUNC1,'function section'),(sec(0,name(b'')),'custom section with empty name'),(code(body(b'\x0b')),'code section'),(sec(0,name(b'z')),'custom section at the end')], 'custom sections may appear anywhere')
malformed([(b'\x0d\x00','section id 13')], 'malformed section id', 'section id 13 is not defined in 2.0')
malformed([(b'\x7f\x00','section id 127')], 'malformed section id', 'section id 127')
malformed([(TYPE0,'type section'),(MEM,'memory section'),(FUNC1,'function section out of order'),(code(body(b'\x0b')),'code section')], 'unexpected content after last section', 'function section after memory section')
malformed([(TYPE0,'type section'),(TYPE0,'type section again')], 'unexpected content after last section', 'duplicate type section')
malformed([(MEM,'memory section'),(sec(11,vec([])),'data section, 0 segments'),(sec(12,leb(0)),'data count section after data')], 'unexpected content after last section', 'data count section after the data section')
malformed([(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x0b')),'code section'),(MEM,'memory section after code')], 'unexpected content after last section', 'memory section after code section')
malformed([(b'\x01\x05\x01\x60\x00\x00\x00','type section of size 5 holding 4 bytes of content plus one stray byte')], 'section size mismatch', 'section larger than its content')
malformed([(TYPE0,'type section'),(b'\x03\x03\x01\x00\x00','function section of 3 bytes: count 1, two entries'),(code(body(b'\x0b')),'code section')], 'section size mismatch', 'more entries in a section than its count')
malformed([(b'\x01\x09\x01\x60\x00\x00','type section claims 9 bytes, 4 remain')], 'length out of bounds', 'section size beyond the end of the module')
malformed([(b'\x01','type section id, size missing')], 'unexpected end', 'section header cut off')
malformed([(b'\x01\x80','unterminated LEB128 size')], 'unexpected end', 'section size LEB128 cut off')
malformed([(b'\x00','custom section id only')], 'unexpected end', 'custom section without size')
malformed([(b'\x00\x03\x08ab','custom section of 3 bytes: name length 8, only 2 name bytes')], 'length out of bounds', 'custom section name longer than the section, at the end of the module')
line()

line(';; --- LEB128 integers ----------------------------------------------------------')
valid([(sec(5,vec([b'\x00'+b'\x82\x80\x80\x80\x00'])),'memory min 2 encoded in 5 bytes')], 'a u32 may use up to 5 bytes')
malformed([(sec(5,vec([b'\x00'+b'\x82\x80\x80\x80\x80\x00'])),'memory min 2 encoded in 6 bytes')], 'integer representation too long', 'u32 in 6 bytes')
malformed([(sec(5,vec([b'\x00'+b'\x80\x80\x80\x80\x10'])),'memory min with bit 32 set')], 'integer too large', 'u32 5th byte uses more than 4 bits')
malformed([(sec(5,vec([b'\x01\x00'+b'\x80\x80\x80\x80\x40'])),'memory max with high bits in 5th byte')], 'integer too large', 'u32 limits maximum too large')
malformed([(TYPE0,'type section'),(sec(3,vec([b'\x80\x80\x80\x80\x80\x00'])),'type index 0 in 6 bytes'),(code(body(b'\x0b')),'code section')], 'integer representation too long', 'function type index in 6 bytes')
malformed([(TYPE0,'type section'),(b'\x03\x06\x81\x80\x80\x80\x80\x00','function count 1 in 6 bytes'),(code(body(b'\x0b')),'code section')], 'integer representation too long', 'vector length in 6 bytes')
def i32const(bs): return [(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x41'+bs+b'\x1a\x0b')),'code: i32.const %s, drop, end' % esc(bs))]
def i64const(bs): return [(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x42'+bs+b'\x1a\x0b')),'code: i64.const %s, drop, end' % esc(bs))]
valid(i32const(b'\xff\xff\xff\xff\x07'), 'i32.const 0x7fffffff in 5 bytes')
valid(i32const(b'\x80\x80\x80\x80\x78'), 'i32.const -0x80000000 in 5 bytes')
valid(i32const(b'\xff\xff\xff\xff\x7f'), 'i32.const -1, padded to 5 bytes')
malformed(i32const(b'\x80\x80\x80\x80\x70'), 'integer too large', 's32: unused bits set on a positive value')
malformed(i32const(b'\xff\xff\xff\xff\x0f'), 'integer too large', 's32: unused bits clear on a negative value')
malformed(i32const(b'\x80\x80\x80\x80\x80\x00'), 'integer representation too long', 's32 in 6 bytes')
valid(i64const(b'\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00'), 'i64.const 0x7fffffffffffffff in 10 bytes')
valid(i64const(b'\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f'), 'i64.const -0x8000000000000000 in 10 bytes')
malformed(i64const(b'\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02'), 'integer too large', 's64: 10th byte uses more than 1 bit')
malformed(i64const(b'\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7e'), 'integer too large', 's64: 10th byte not a sign extension')
malformed(i64const(b'\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00'), 'integer representation too long', 's64 in 11 bytes')
def memop(op, bs): return [(TYPE0,'type section'),(FUNC1,'function section'),(MEM,'memory section'),(code(body(op)),'code: '+bs)]
malformed(memop(b'\x41\x00\x28\x02\x80\x80\x80\x80\x10\x1a\x0b','i32.load offset with bit 32 set'), 'integer too large', 'memarg offset too large')
line()

line(';; --- counts that must agree -----------------------------------------------------')
malformed([(TYPE0,'type section'),(sec(3,vec([b'\x00',b'\x00'])),'two functions'),(code(body(b'\x0b')),'one body')], 'function and code section have inconsistent lengths', 'more functions than bodies')
malformed([(TYPE0,'type section'),(FUNC1,'one function'),(code(body(b'\x0b'),body(b'\x0b')),'two bodies')], 'function and code section have inconsistent lengths', 'more bodies than functions')
malformed([(TYPE0,'type section'),(FUNC1,'one function, no code section')], 'function and code section have inconsistent lengths', 'code section missing')
malformed([(code(body(b'\x0b')),'one body, no function section')], 'function and code section have inconsistent lengths', 'function section missing')
valid([(MEM,'memory section'),(sec(12,leb(2)),'data count 2'),(sec(11,vec([b'\x01'+name(b'a'),b'\x01'+name(b'')])),'two passive segments')], 'data count matching the data section')
malformed([(MEM,'memory section'),(sec(12,leb(1)),'data count 1'),(sec(11,vec([b'\x01'+name(b'a'),b'\x01'+name(b'')])),'two passive segments')], 'data count and data section have inconsistent lengths', 'fewer segments declared than present')
malformed([(MEM,'memory section'),(sec(12,leb(3)),'data count 3'),(sec(11,vec([b'\x01'+name(b'a')])),'one passive segment')], 'data count and data section have inconsistent lengths', 'more segments declared than present')
malformed([(TYPE0,'type section'),(FUNC1,'function section'),(MEM,'memory section'),(code(body(b'\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b')),'memory.init 0'),(sec(11,vec([b'\x01'+name(b'x')])),'data section')], 'data count section required', 'memory.init without a data count section')
malformed([(TYPE0,'type section'),(FUNC1,'function section'),(MEM,'memory section'),(code(body(b'\xfc\x09\x00\x0b')),'data.drop 0'),(sec(11,vec([b'\x01'+name(b'x')])),'data section')], 'data count section required', 'data.drop without a data count section')
line()

line(';; --- locals --------------------------------------------------------------------')
valid([(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x0b', b'\x02\x03\x7f\x02\x7e')),'3 i32 + 2 i64 locals')], 'local declarations')
malformed([(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x0b', b'\x02\xff\xff\xff\xff\x0f\x7f\x01\x7e')),'0xffffffff i32 locals + 1 i64')], 'too many locals', 'more than 2^32-1 locals in total')
malformed([(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x0b', b'\x03\x80\x80\x80\x80\x08\x7f\x80\x80\x80\x80\x08\x7d\x01\x7c')),'2^31 i32 + 2^31 f32 + 1 f64')], 'too many locals', 'local counts summing past 2^32')
line()

line(';; --- instructions ----------------------------------------------------------')
def fn(instrs, extra=()): return [(TYPE0,'type section'),(FUNC1,'function section')]+list(extra)+[(code(body(instrs)),'code')]
malformed(fn(b'\x27\x0b'), 'illegal opcode', 'opcode 0x27 is unassigned')
malformed(fn(b'\xc5\x0b'), 'illegal opcode', 'opcode 0xc5 is unassigned')
malformed(fn(b'\x41\x00\xfc\x12\x0b'), 'illegal opcode', 'prefixed opcode 0xfc 18 is unassigned')
valid(fn(b'\x3f\x00\x1a\x41\x00\x40\x00\x1a\x0b',[(MEM,'memory section')]), 'memory.size and memory.grow with their zero bytes')
malformed(fn(b'\x3f\x01\x1a\x0b',[(MEM,'memory section')]), 'zero byte expected', 'memory.size reserved byte 1')
malformed(fn(b'\x41\x00\x40\x01\x1a\x0b',[(MEM,'memory section')]), 'zero byte expected', 'memory.grow reserved byte 1')
malformed(fn(b'\x41\x00\x41\x00\x41\x00\xfc\x0b\x01\x0b',[(MEM,'memory section')]), 'zero byte expected', 'memory.fill reserved byte 1')
malformed(fn(b'\x41\x00\x41\x00\x41\x00\xfc\x0a\x00\x01\x0b',[(MEM,'memory section')]), 'zero byte expected', 'memory.copy second reserved byte 1')
malformed([(TYPE0,'type section'),(FUNC1,'function section'),(code(body(b'\x41\x01\x1a')),'body without end, at end of module')], 'unexpected end', 'function body missing its end opcode')
malformed([(TYPE0,'type section'),(sec(6,vec([b'\x7f\x02\x41\x00\x0b'])),'global i32 with mutability byte 2')], 'malformed mutability', 'global mutability flag out of range')
malformed([(sec(2,vec([name(b'')+name(b'')+b'\x05\x00'])),'import kind 5')], 'malformed import kind', 'import kind out of range')
line()

line(';; --- names must be UTF-8 ---------------------------------------------------------')
def exp(nm): return [(TYPE0,'type section'),(FUNC1,'function section'),(sec(7,vec([name(nm)+b'\x00\x00'])),'export "%s"' % esc(nm)),(code(body(b'\x0b')),'code section')]
valid(exp('€😀'.encode()), 'export name with 3- and 4-byte sequences')
valid(exp(b''), 'empty export name')
for bad,why in [(b'\x80','lone continuation byte'),(b'\xc0\x80','overlong 2-byte encoding of NUL'),(b'\xe0\x80\xaf','overlong 3-byte encoding'),
                (b'\xed\xa0\x80','UTF-16 surrogate half'),(b'\xf4\x90\x80\x80','code point above U+10FFFF'),(b'\xe2\x82','truncated 3-byte sequence'),
                (b'\xf8\x88\x80\x80\x80','5-byte sequence'),(b'a\xffb','byte 0xff')]:
    malformed(exp(bad), 'malformed UTF-8 encoding', 'export name: '+why)
malformed([(TYPE0,'type section'),(sec(2,vec([name(b'\xc1\xbf')+name(b'f')+b'\x00\x00'])),'import module name overlong')], 'malformed UTF-8 encoding', 'import module name')
malformed([(TYPE0,'type section'),(sec(2,vec([name(b'm')+name(b'\xdf')+b'\x00\x00'])),'import field name truncated')], 'malformed UTF-8 encoding', 'import field name')
malformed([(sec(0,name(b'\xfe')+b'payload'),'custom section name 0xfe')], 'malformed UTF-8 encoding', 'custom section name')
valid([(sec(0,name(b'ok')+b'\xff\xfe\x80'),'custom payload is not checked')], 'custom section payload may hold any bytes')

TEXT_PART = r'''
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
'''

print('\n'.join(out))
print(TEXT_PART, end='')

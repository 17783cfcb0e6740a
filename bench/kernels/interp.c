/* interp: a small stack-based bytecode virtual machine with a switch
 * dispatch loop, running a program that iterates a linear congruential
 * generator and branches on its output. Exercises indirect branches and
 * unpredictable control flow: an interpreter inside the interpreter. */
#include "kernel.h"

enum { kIterations = 1800000 };

typedef enum {
  OP_PUSH,   /* imm: push imm */
  OP_LOAD,   /* n: push local[n] */
  OP_STORE,  /* n: pop into local[n] */
  OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_XOR, OP_SHR, OP_REM, /* pop b, a; push a op b */
  OP_LT,     /* pop b, a; push a < b (unsigned) */
  OP_JZ,     /* target: pop; jump if zero */
  OP_JMP,    /* target: jump */
  OP_HALT,   /* pop and return */
} Op;

enum { L_I, L_N, L_ACC, L_SUM, L_X, kLocals };

static i32 program[256];
static int program_size;

static void emit(i32 op) { program[program_size++] = op; }
static void emit2(i32 op, i32 arg) { emit(op); emit(arg); }

static void assemble(void) {
  program_size = 0;
  /* i = 0 */
  emit2(OP_PUSH, 0); emit2(OP_STORE, L_I);
  int loop = program_size;
  /* if !(i < n) goto end */
  emit2(OP_LOAD, L_I); emit2(OP_LOAD, L_N); emit(OP_LT);
  emit(OP_JZ); int to_end = program_size; emit(0);
  /* acc = acc * 1103515245 + 12345 */
  emit2(OP_LOAD, L_ACC); emit2(OP_PUSH, 1103515245); emit(OP_MUL);
  emit2(OP_PUSH, 12345); emit(OP_ADD); emit2(OP_STORE, L_ACC);
  /* x = (acc >> 16) & 0x7fff */
  emit2(OP_LOAD, L_ACC); emit2(OP_PUSH, 16); emit(OP_SHR);
  emit2(OP_PUSH, 0x7fff); emit(OP_AND); emit2(OP_STORE, L_X);
  /* if (x % 3 == 0) sum = sum + x  else sum = sum ^ i */
  emit2(OP_LOAD, L_X); emit2(OP_PUSH, 3); emit(OP_REM);
  emit(OP_JZ); int to_then = program_size; emit(0);
  emit2(OP_LOAD, L_SUM); emit2(OP_LOAD, L_I); emit(OP_XOR); emit2(OP_STORE, L_SUM);
  emit(OP_JMP); int to_join = program_size; emit(0);
  program[to_then] = program_size;
  emit2(OP_LOAD, L_SUM); emit2(OP_LOAD, L_X); emit(OP_ADD); emit2(OP_STORE, L_SUM);
  program[to_join] = program_size;
  /* i = i + 1; goto loop */
  emit2(OP_LOAD, L_I); emit2(OP_PUSH, 1); emit(OP_ADD); emit2(OP_STORE, L_I);
  emit2(OP_JMP, loop);
  program[to_end] = program_size;
  emit2(OP_LOAD, L_SUM); emit(OP_HALT);
}

static u32 execute(const i32* code, u32 n, u32 seed) {
  u32 locals[kLocals] = {0};
  u32 stack[16];
  int sp = 0;
  int pc = 0;
  locals[L_N] = n;
  locals[L_ACC] = seed;
  for (;;) {
    i32 op = code[pc++];
    switch (op) {
      case OP_PUSH: stack[sp++] = (u32)code[pc++]; break;
      case OP_LOAD: stack[sp++] = locals[code[pc++]]; break;
      case OP_STORE: locals[code[pc++]] = stack[--sp]; break;
      case OP_ADD: --sp; stack[sp - 1] += stack[sp]; break;
      case OP_SUB: --sp; stack[sp - 1] -= stack[sp]; break;
      case OP_MUL: --sp; stack[sp - 1] *= stack[sp]; break;
      case OP_AND: --sp; stack[sp - 1] &= stack[sp]; break;
      case OP_XOR: --sp; stack[sp - 1] ^= stack[sp]; break;
      case OP_SHR: --sp; stack[sp - 1] >>= (stack[sp] & 31); break;
      case OP_REM: --sp; stack[sp - 1] %= stack[sp]; break;
      case OP_LT: --sp; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case OP_JZ: {
        i32 target = code[pc++];
        if (stack[--sp] == 0) pc = target;
        break;
      }
      case OP_JMP: pc = code[pc]; break;
      case OP_HALT: return stack[--sp];
      default: return 0xDEADu;
    }
  }
}

int run(void) {
  assemble();
  return (int)execute(program, kIterations, kernel_seed);
}

// cotan-export compiles cotan functions to a position-independent object
// file with the C interface; bad targets and outputs are diagnostics.
// RUN: cotan-export %s -o %t.o && test -s %t.o
// RUN: cotan-export %s -o %t-generic.o --target-cpu=x86-64 && test -s %t-generic.o
// RUN: not cotan-export %s -o %t.o --target-cpu=pentium9000 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not cotan-export %s -o %t.o --triple=nonsense-none-none 2>&1 | FileCheck %s --check-prefix=TRIPLE
// RUN: not cotan-export %s -o %t.missing/dir/out.o 2>&1 | FileCheck %s --check-prefix=OUTPUT
// RUN: not cotan-export %S/bad-input.mlir -o %t.o 2>&1 | FileCheck %s --check-prefix=PARSE
// An already lowered module, as LLVM IR and as assembly (COTAN_DUMP_DIR's last stages).
// RUN: cotan-opt %s --cotan-cpu-pipeline > %t.lowered.mlir
// RUN: cotan-export %t.lowered.mlir --lowered --emit=llvm -o - | FileCheck %s --check-prefix=LLVM
// RUN: cotan-export %t.lowered.mlir --lowered --emit=asm -o - | FileCheck %s --check-prefix=ASM

// LLVM: define void @_mlir_ciface_scale(ptr
// ASM: _mlir_ciface_scale:

// CPU: cotan-export: unknown target CPU 'pentium9000'
// TRIPLE: cotan-export: unknown target triple 'nonsense-none-none'
// OUTPUT: cotan-export: cannot write
// PARSE: error:

func.func @scale(%x: tensor<8xf32>) -> tensor<8xf32> attributes {llvm.emit_c_interface} {
  %c = cotan.constant dense<2.0> : tensor<8xf32>
  %0 = cotan.mul %x, %c : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// Every dynamic-shape case of the lowering test compiles to the LLVM
// dialect (bufferization allocates by the run-time sizes).
// RUN: cotan-opt %S/../Conversion/CotanToLinalg/dynamic-shapes.mlir --split-input-file --cotan-cpu-pipeline | FileCheck %s

// CHECK-NOT: cotan.
// CHECK-NOT: tensor.
// CHECK-LABEL: llvm.func @elementwise
// CHECK-LABEL: llvm.func @compare_select
// CHECK-LABEL: llvm.func @convert
// CHECK-LABEL: llvm.func @broadcast
// CHECK-LABEL: llvm.func @iota
// CHECK-LABEL: llvm.func @reshape
// CHECK-LABEL: llvm.func @reshape_several_dynamic
// CHECK-LABEL: llvm.func @reshape_to_static
// CHECK-LABEL: llvm.func @transpose
// CHECK-LABEL: llvm.func @reduce
// CHECK-LABEL: llvm.func @argmax
// CHECK-LABEL: llvm.func @dot_general
// CHECK-LABEL: llvm.func @slice
// CHECK-LABEL: llvm.func @pad
// CHECK-LABEL: llvm.func @concatenate
// CHECK-LABEL: llvm.func @take
// CHECK-LABEL: llvm.func @scan_stacks_dynamic
// CHECK-LABEL: llvm.func @switch_dynamic
// CHECK-LABEL: llvm.func @while_dynamic
// CHECK-LABEL: llvm.func @convolution_dynamic_batch
// CHECK-LABEL: llvm.func @reduce_window_dynamic_batch
// CHECK-LABEL: llvm.func @reverse_static_dim
// CHECK-LABEL: llvm.func @edges_of_dynamic

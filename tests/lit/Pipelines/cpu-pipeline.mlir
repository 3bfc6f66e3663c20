// Every op's test function in Dialect/ops.mlir lowers to the LLVM dialect.
// RUN: cotan-opt %S/../Dialect/ops.mlir --split-input-file --cotan-cpu-pipeline | FileCheck %s --check-prefix=OPS
// RUN: cotan-opt %s --cotan-cpu-pipeline | FileCheck %s

// OPS-NOT: cotan.
// OPS-LABEL: llvm.func @constant_and_iota
// OPS-LABEL: llvm.func @unary_float
// OPS-LABEL: llvm.func @unary_int_and_bool
// OPS-LABEL: llvm.func @binary
// OPS-LABEL: llvm.func @binary_int
// OPS-LABEL: llvm.func @logic
// OPS-LABEL: llvm.func @compare_select_convert
// OPS-LABEL: llvm.func @shape_ops
// OPS-LABEL: llvm.func @indexing_ops
// OPS-LABEL: llvm.func @reductions
// OPS-LABEL: llvm.func @dot_general
// OPS-LABEL: llvm.func @sort
// OPS-NOT: cotan.
// OPS-NOT: linalg.
// OPS-NOT: memref.

// Results become caller-allocated out-parameters, so the C interface takes
// the inputs' and the result's descriptors and returns nothing; the
// temporary between the two ops is freed.
// CHECK-LABEL: llvm.func @mlp_layer
// CHECK: llvm.call @malloc
// CHECK: llvm.call @free
// CHECK: llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_mlp_layer(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes
func.func @mlp_layer(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<16xf32> attributes {llvm.emit_c_interface} {
  %0 = cotan.dot_general %x, %w {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %z = cotan.constant dense<0.0> : tensor<4x16xf32>
  %1 = cotan.max %0, %z : tensor<4x16xf32>
  %2 = cotan.reduce_sum %1 dims = [0] : tensor<4x16xf32> -> tensor<16xf32>
  return %2 : tensor<16xf32>
}

// f64 erf has no LLVM intrinsic: a libm call per vector lane, whose lane
// extracts and inserts are lowered too.
// CHECK-LABEL: llvm.func @erf_f64
// CHECK-NOT: vector.
// CHECK: llvm.call @erf({{.*}}) : (f64) -> f64
// CHECK-NOT: vector.
// CHECK: llvm.return
func.func @erf_f64(%x: tensor<8xf64>) -> tensor<8xf64> {
  %0 = cotan.erf %x : tensor<8xf64>
  return %0 : tensor<8xf64>
}

// RUN: cotan-opt %s --split-input-file | cotan-opt --split-input-file | FileCheck %s
// RUN: cotan-opt %s --split-input-file --resolve-ranked-shaped-type-result-dims --canonicalize --cse | FileCheck %s --check-prefix=DIMS
// The shape-polymorphic ops take dynamic (`?`) dimensions and print them
// round trip; through ReifyRankedShapedTypeOpInterface, the size of a
// result dimension folds to the operand size or dynamic size it came from.

// CHECK-LABEL: func.func @mlp_layer
// CHECK: cotan.dot_general %{{.*}}, %{{.*}} {{.*}} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
// CHECK: cotan.broadcast_in_dim %{{.*}}[%{{.*}}] dims = [1] : tensor<3xf32> -> tensor<?x3xf32>
// CHECK: cotan.add %{{.*}}, %{{.*}} : tensor<?x3xf32>
// CHECK: cotan.reduce_max %{{.*}} dims = [1] : tensor<?x3xf32> -> tensor<?xf32>
// DIMS-LABEL: func.func @mlp_layer
// DIMS-SAME: (%[[X:.*]]: tensor<?x4xf32>
// DIMS: %[[N:.*]] = tensor.dim %[[X]], %c0
// DIMS-NOT: tensor.dim
// DIMS: return {{.*}}, %[[N]], %[[N]]
func.func @mlp_layer(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<?xf32>, index, index) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %h = cotan.dot_general %x, %w {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %bb = cotan.broadcast_in_dim %b[%n] dims = [1] : tensor<3xf32> -> tensor<?x3xf32>
  %y = cotan.add %h, %bb : tensor<?x3xf32>
  %m = cotan.reduce_max %y dims = [1] : tensor<?x3xf32> -> tensor<?xf32>
  %d0 = tensor.dim %y, %c0 : tensor<?x3xf32>
  %d1 = tensor.dim %m, %c0 : tensor<?xf32>
  return %m, %d0, %d1 : tensor<?xf32>, index, index
}

// -----

// CHECK-LABEL: func.func @reshape_transpose
// CHECK: cotan.reshape %{{.*}}[%{{.*}}] : tensor<?x3xf32> -> tensor<?xf32>
// CHECK: cotan.transpose %{{.*}} perm = [1, 0] : tensor<?x3xf32> -> tensor<3x?xf32>
// DIMS-LABEL: func.func @reshape_transpose
// DIMS-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[N:.*]]: index)
// DIMS: %[[D:.*]] = tensor.dim %[[X]], %c0
// DIMS: return {{.*}}, %[[N]], %[[D]]
func.func @reshape_transpose(%x: tensor<?x3xf32>, %n: index) -> (tensor<?xf32>, tensor<3x?xf32>, index, index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = cotan.reshape %x[%n] : tensor<?x3xf32> -> tensor<?xf32>
  %t = cotan.transpose %x perm = [1, 0] : tensor<?x3xf32> -> tensor<3x?xf32>
  %d0 = tensor.dim %r, %c0 : tensor<?xf32>
  %d1 = tensor.dim %t, %c1 : tensor<3x?xf32>
  return %r, %t, %d0, %d1 : tensor<?xf32>, tensor<3x?xf32>, index, index
}

// -----

// CHECK-LABEL: func.func @argmax_convert
// CHECK: cotan.argmax %{{.*}} dim = 1 : tensor<?x5xf32> -> tensor<?xi32>
// CHECK: cotan.convert %{{.*}} : tensor<?xi32> -> tensor<?xf32>
func.func @argmax_convert(%x: tensor<?x5xf32>) -> tensor<?xf32> {
  %i = cotan.argmax %x dim = 1 : tensor<?x5xf32> -> tensor<?xi32>
  %f = cotan.convert %i : tensor<?xi32> -> tensor<?xf32>
  return %f : tensor<?xf32>
}

// -----

// iota takes its `?` sizes as operands, like broadcast_in_dim.
// CHECK-LABEL: func.func @iota_dynamic
// CHECK: cotan.iota[%{{.*}}] dim = 0 : tensor<?x3xi32>
// DIMS-LABEL: func.func @iota_dynamic
// DIMS-SAME: (%[[N:.*]]: index)
// DIMS: return {{.*}}, %[[N]]
func.func @iota_dynamic(%n: index) -> (tensor<?x3xi32>, index) {
  %c0 = arith.constant 0 : index
  %0 = cotan.iota[%n] dim = 0 : tensor<?x3xi32>
  %d = tensor.dim %0, %c0 : tensor<?x3xi32>
  return %0, %d : tensor<?x3xi32>, index
}

// -----

// Control flow carries `?` dimensions.
// CHECK-LABEL: func.func @control_flow_dynamic
// CHECK: cotan.switch %{{.*}} (%{{.*}}) : tensor<i32>, (tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK: cotan.while (%{{.*}}) consts () : (tensor<?x3xf32>) -> tensor<?x3xf32>
func.func @control_flow_dynamic(%i: tensor<i32>, %x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<?x3xf32>) -> tensor<?x3xf32> {
  ^bb0(%a: tensor<?x3xf32>):
    cotan.yield %a : tensor<?x3xf32>
  }
  %1 = cotan.while (%0) consts () : (tensor<?x3xf32>) -> tensor<?x3xf32>
  cond {
  ^bb0(%c: tensor<?x3xf32>):
    %m = cotan.reduce_max %c dims = [0, 1] : tensor<?x3xf32> -> tensor<f32>
    %z = cotan.constant dense<1.0> : tensor<f32>
    %p = cotan.compare lt, %m, %z : tensor<f32> -> tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%c: tensor<?x3xf32>):
    %d = cotan.add %c, %c : tensor<?x3xf32>
    cotan.yield %d : tensor<?x3xf32>
  }
  return %1 : tensor<?x3xf32>
}

// -----

// A dynamic dimension is sliced from a static start to a limit counted
// from its end, and edge-padded; the sizes follow.
// CHECK-LABEL: func.func @edges_of_dynamic
// CHECK: cotan.slice %{{.*}} start = [1] limit = [-2] strides = [1] : tensor<?xf32> -> tensor<?xf32>
// CHECK: cotan.pad %{{.*}}, %{{.*}} low = [2] high = [1] interior = [0] : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
// DIMS-LABEL: func.func @edges_of_dynamic
// DIMS-SAME: (%[[X:.*]]: tensor<?xf32>
// DIMS: %[[N:.*]] = tensor.dim %[[X]], %c0
// DIMS: %[[LEFT:.*]] = arith.subi %[[N]], %c2
// DIMS: %[[SLICED:.*]] = arith.maxsi %[[LEFT]], %c0
// DIMS: %[[PADDED:.*]] = arith.addi %[[SLICED]], %c3
// DIMS: return {{.*}}, %[[SLICED]], %[[PADDED]]
func.func @edges_of_dynamic(%x: tensor<?xf32>, %p: tensor<f32>) -> (tensor<?xf32>, index, index) {
  %c0 = arith.constant 0 : index
  %0 = cotan.slice %x start = [1] limit = [-2] strides = [1] : tensor<?xf32> -> tensor<?xf32>
  %1 = cotan.pad %0, %p low = [2] high = [1] interior = [0] : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  %d0 = tensor.dim %0, %c0 : tensor<?xf32>
  %d1 = tensor.dim %1, %c0 : tensor<?xf32>
  return %1, %d0, %d1 : tensor<?xf32>, index, index
}

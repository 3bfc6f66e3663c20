// RUN: cotan-opt %s --split-input-file --cotan-expand-autodiff | FileCheck %s
// Derivatives of shape-polymorphic functions: rules that create tensors
// (the broadcast undoing a reduction, the ones of tanh', the reshape back
// to an operand's shape) size their `?` dimensions with tensor.dim of the
// value they mirror; the index arithmetic of the primal (tensor.dim,
// arith) is cloned and has no derivative.

// CHECK-LABEL: func.func private @layer_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<f32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf32>
// CHECK: cotan.broadcast_in_dim %[[B]][%[[N]]] dims = [1]
// CHECK: %[[T:.*]] = cotan.tanh
// CHECK: %[[TN:.*]] = tensor.dim %[[T]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[CTS:.*]] = cotan.broadcast_in_dim %[[CT]][%[[TN]]] dims = [] : tensor<f32> -> tensor<?x3xf32>
// CHECK: %[[ONE:.*]] = cotan.constant dense<1.000000e+00> : tensor<f32>
// CHECK: cotan.broadcast_in_dim %[[ONE]][%{{.*}}] dims = [] : tensor<f32> -> tensor<?x3xf32>
// CHECK: %[[DY:.*]] = cotan.mul %{{.*}}, %[[CTS]] : tensor<?x3xf32>
// CHECK: %[[DB:.*]] = cotan.reduce_sum %[[DY]] dims = [0] : tensor<?x3xf32> -> tensor<3xf32>
// CHECK: %[[DX:.*]] = cotan.dot_general %[[DY]], %[[W]] {{.*}} -> tensor<?x4xf32>
// CHECK: %[[DW:.*]] = cotan.dot_general %[[X]], %[[DY]] {{.*}} : (tensor<?x4xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
// CHECK: return %{{.*}}, %[[DX]], %[[DW]], %[[DB]]
func.func private @layer(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %h = cotan.dot_general %x, %w {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %bb = cotan.broadcast_in_dim %b[%n] dims = [1] : tensor<3xf32> -> tensor<?x3xf32>
  %y = cotan.add %h, %bb : tensor<?x3xf32>
  %t = cotan.tanh %y : tensor<?x3xf32>
  %s = cotan.reduce_sum %t dims = [0, 1] : tensor<?x3xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @grad_layer(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<f32>, tensor<?x4xf32>, tensor<4x3xf32>, tensor<3xf32>) {
  %one = cotan.constant dense<1.0> : tensor<f32>
  %r:4 = cotan.vjp @layer(%x, %w, %b) cotangents(%one) : (tensor<?x4xf32>, tensor<4x3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<?x4xf32>, tensor<4x3xf32>, tensor<3xf32>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<f32>, tensor<?x4xf32>, tensor<4x3xf32>, tensor<3xf32>
}

// -----

// Forward mode reshapes the tangent with the primal's sizes; reverse mode
// reshapes the cotangent back to the sizes of the operand.
// CHECK-LABEL: func.func private @flat_jvp
// CHECK: %[[M:.*]] = arith.muli
// CHECK: %[[E:.*]] = cotan.exp
// CHECK: %[[DE:.*]] = cotan.mul %[[E]], %{{.*}} : tensor<?x3xf32>
// CHECK: cotan.reshape %[[E]][%[[M]]] : tensor<?x3xf32> -> tensor<?xf32>
// CHECK: cotan.reshape %[[DE]][%[[M]]] : tensor<?x3xf32> -> tensor<?xf32>
// CHECK-LABEL: func.func private @flat_vjp
// CHECK-SAME: (%{{.*}}: tensor<?x3xf32>, %[[CT:.*]]: tensor<?xf32>)
// CHECK: %[[E:.*]] = cotan.exp
// CHECK: %[[N:.*]] = tensor.dim %[[E]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[BACK:.*]] = cotan.reshape %[[CT]][%[[N]]] : tensor<?xf32> -> tensor<?x3xf32>
// CHECK: cotan.mul %[[E]], %[[BACK]]
func.func private @flat(%x: tensor<?x3xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x3xf32>
  %c3 = arith.constant 3 : index
  %m = arith.muli %n, %c3 : index
  %e = cotan.exp %x : tensor<?x3xf32>
  %r = cotan.reshape %e[%m] : tensor<?x3xf32> -> tensor<?xf32>
  return %r : tensor<?xf32>
}
func.func @jvp_flat(%x: tensor<?x3xf32>, %t: tensor<?x3xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %r:2 = cotan.jvp @flat(%x) tangents(%t) : (tensor<?x3xf32>, tensor<?x3xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return %r#0, %r#1 : tensor<?xf32>, tensor<?xf32>
}
func.func @vjp_flat(%x: tensor<?x3xf32>, %ct: tensor<?xf32>) -> (tensor<?xf32>, tensor<?x3xf32>) {
  %r:2 = cotan.vjp @flat(%x) cotangents(%ct) : (tensor<?x3xf32>, tensor<?xf32>) -> (tensor<?xf32>, tensor<?x3xf32>)
  return %r#0, %r#1 : tensor<?xf32>, tensor<?x3xf32>
}

// -----

// A slice's cotangent is padded back with zeros in the static dimension
// and none in the dynamic one; an embedding lookup's is a one-hot
// contraction whose iota is broadcast to the indices' run-time length.
// CHECK-LABEL: func.func private @gates_vjp
// CHECK-SAME: (%{{.*}}: tensor<?x8xf32>, %{{.*}}: tensor<5x8xf32>, %[[I:.*]]: tensor<?xi32>, %[[CT:.*]]: tensor<?x4xf32>)
// CHECK: %[[DS:.*]] = cotan.pad %[[CT]], %{{.*}} low = [0, 4] high = [0, 0] interior = [0, 0] : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x8xf32>
// CHECK: %[[IOTA:.*]] = cotan.iota dim = 0 : tensor<5xi32>
// CHECK: %[[HOT_IOTA:.*]] = cotan.broadcast_in_dim %[[IOTA]][%[[N:.*]]] dims = [1] : tensor<5xi32> -> tensor<?x5xi32>
// CHECK: %[[HOT:.*]] = cotan.convert %{{.*}} : tensor<?x5xi1> -> tensor<?x5xf32>
// CHECK: %[[DE:.*]] = cotan.dot_general %[[DS]], %[[HOT]] {{.*}} : (tensor<?x8xf32>, tensor<?x5xf32>) -> tensor<8x5xf32>
// CHECK: cotan.transpose %[[DE]] perm = [1, 0] : tensor<8x5xf32> -> tensor<5x8xf32>
func.func private @gates(%x: tensor<?x8xf32>, %e: tensor<5x8xf32>, %i: tensor<?xi32>) -> tensor<?x4xf32> {
  %t = cotan.take %e[%i] axis = 0 : (tensor<5x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  %s = cotan.add %x, %t : tensor<?x8xf32>
  %0 = cotan.slice %s start = [0, 4] limit = [-1, 8] strides = [1, 1] : tensor<?x8xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
func.func @vjp_gates(%x: tensor<?x8xf32>, %e: tensor<5x8xf32>, %i: tensor<?xi32>, %ct: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x8xf32>, tensor<5x8xf32>, tensor<?xi32>) {
  %r:4 = cotan.vjp @gates(%x, %e, %i) cotangents(%ct) : (tensor<?x8xf32>, tensor<5x8xf32>, tensor<?xi32>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x8xf32>, tensor<5x8xf32>, tensor<?xi32>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<?x4xf32>, tensor<?x8xf32>, tensor<5x8xf32>, tensor<?xi32>
}

// -----

// Slicing a dynamic dimension from both ends: the cotangent goes back by
// an edge pad (low = start, high = what the limit left), and a pad's by
// the slice from both ends.
// CHECK-LABEL: func.func private @edges_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>, %[[CT:.*]]: tensor<?xf32>)
// CHECK: %[[S:.*]] = cotan.slice %[[CT]] start = [2] limit = [-1] strides = [1] : tensor<?xf32> -> tensor<?xf32>
// CHECK: cotan.pad %[[S]], %{{.*}} low = [1] high = [2] interior = [0] : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
func.func private @edges(%x: tensor<?xf32>) -> tensor<?xf32> {
  %z = cotan.constant dense<0.0> : tensor<f32>
  %0 = cotan.slice %x start = [1] limit = [-3] strides = [1] : tensor<?xf32> -> tensor<?xf32>
  %1 = cotan.pad %0, %z low = [2] high = [0] interior = [0] : (tensor<?xf32>, tensor<f32>) -> tensor<?xf32>
  return %1 : tensor<?xf32>
}
func.func @edges_grad(%x: tensor<?xf32>, %ct: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %r:2 = cotan.vjp @edges(%x) cotangents(%ct) : (tensor<?xf32>, tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return %r#0, %r#1 : tensor<?xf32>, tensor<?xf32>
}

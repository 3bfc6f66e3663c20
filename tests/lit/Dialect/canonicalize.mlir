// RUN: cotan-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @add_zero(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %z = cotan.constant dense<0.0> : tensor<3xf32>
  %0 = cotan.add %x, %z : tensor<3xf32>
  %1 = cotan.add %z, %x : tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @sub_zero_mul_one_div_one
// CHECK-SAME: (%[[X:.*]]: tensor<3xi32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @sub_zero_mul_one_div_one(%x: tensor<3xi32>) -> (tensor<3xi32>, tensor<3xi32>, tensor<3xi32>) {
  %z = cotan.constant dense<0> : tensor<3xi32>
  %o = cotan.constant dense<1> : tensor<3xi32>
  %0 = cotan.sub %x, %z : tensor<3xi32>
  %1 = cotan.mul %o, %x : tensor<3xi32>
  %2 = cotan.div %x, %o : tensor<3xi32>
  return %0, %1, %2 : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>
}

// -----

// CHECK-LABEL: func.func @fold_constants
// CHECK-DAG: cotan.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-DAG: cotan.constant dense<-2> : tensor<2xi64>
// CHECK-DAG: cotan.constant dense<[3.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-NOT: cotan.add
// CHECK-NOT: cotan.neg
// CHECK-NOT: cotan.max
func.func @fold_constants() -> (tensor<2xf32>, tensor<2xi64>, tensor<2xf32>) {
  %a = cotan.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = cotan.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = cotan.add %a, %b : tensor<2xf32>
  %s = cotan.add %0, %a : tensor<2xf32>
  %c = cotan.constant dense<2> : tensor<2xi64>
  %1 = cotan.neg %c : tensor<2xi64>
  %2 = cotan.max %a, %b : tensor<2xf32>
  %3 = cotan.sub %s, %a : tensor<2xf32>
  return %3, %1, %2 : tensor<2xf32>, tensor<2xi64>, tensor<2xf32>
}

// -----

// Integer division by a zero constant is left to run time.
// CHECK-LABEL: func.func @no_fold_int_div
// CHECK: cotan.div
func.func @no_fold_int_div() -> tensor<2xi32> {
  %a = cotan.constant dense<7> : tensor<2xi32>
  %z = cotan.constant dense<0> : tensor<2xi32>
  %0 = cotan.div %a, %z : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// CHECK-LABEL: func.func @idempotent_and_involutions
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xi1>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[B]]
func.func @idempotent_and_involutions(%x: tensor<3xf32>, %b: tensor<3xi1>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi1>) {
  %0 = cotan.max %x, %x : tensor<3xf32>
  %1 = cotan.min %x, %x : tensor<3xf32>
  %n = cotan.neg %x : tensor<3xf32>
  %2 = cotan.neg %n : tensor<3xf32>
  %nb = cotan.not %b : tensor<3xi1>
  %3 = cotan.not %nb : tensor<3xi1>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi1>
}

// -----

// CHECK-LABEL: func.func @select_folds
// CHECK-SAME: (%[[P:.*]]: tensor<3xi1>, %[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>)
// CHECK-NEXT: return %[[X]], %[[Y]]
func.func @select_folds(%p: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = cotan.select %p, %x, %x : tensor<3xi1>, tensor<3xf32>
  %f = cotan.constant dense<false> : tensor<3xi1>
  %1 = cotan.select %f, %x, %y : tensor<3xi1>, tensor<3xf32>
  return %0, %1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @identity_shape_ops
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_shape_ops(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %p = cotan.constant dense<0.0> : tensor<f32>
  %0 = cotan.convert %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = cotan.broadcast_in_dim %x dims = [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = cotan.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = cotan.transpose %x perm = [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = cotan.slice %x start = [0, 0] limit = [2, 3] strides = [1, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
  %5 = cotan.concatenate %x dim = 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = cotan.pad %x, %p low = [0, 0] high = [0, 0] interior = [0, 0] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %7 = cotan.reverse %x dims = [] : tensor<2x3xf32>
  %8 = cotan.reduce_sum %x dims = [] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.*]] = cotan.reshape %[[X]] : tensor<2x3xf32> -> tensor<6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %0 = cotan.reshape %x : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = cotan.reshape %0 : tensor<3x2xf32> -> tensor<6xf32>
  return %1 : tensor<6xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = cotan.transpose %[[X]] perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]], %[[X]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  %0 = cotan.transpose %x perm = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %1 = cotan.transpose %0 perm = [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  %2 = cotan.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %3 = cotan.transpose %2 perm = [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  return %1, %3 : tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @fold_constant_shapes
// CHECK-DAG: cotan.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
// CHECK-DAG: cotan.constant dense<5.000000e-01> : tensor<2x3xf32>
// CHECK-DAG: cotan.constant dense<5.000000e-01> : tensor<3x2xf32>
// CHECK-NOT: cotan.reshape
// CHECK-NOT: cotan.broadcast_in_dim
// CHECK-NOT: cotan.transpose
func.func @fold_constant_shapes() -> (tensor<4xi32>, tensor<2x3xf32>, tensor<3x2xf32>) {
  %c = cotan.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %0 = cotan.reshape %c : tensor<2x2xi32> -> tensor<4xi32>
  %h = cotan.constant dense<0.5> : tensor<f32>
  %1 = cotan.broadcast_in_dim %h dims = [] : tensor<f32> -> tensor<2x3xf32>
  %2 = cotan.transpose %1 perm = [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0, %1, %2 : tensor<4xi32>, tensor<2x3xf32>, tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @reverse_of_reverse
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reverse_of_reverse(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.reverse %x dims = [0, 1] : tensor<2x3xf32>
  %1 = cotan.reverse %0 dims = [1, 0] : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// A collective over a group of one process is its operand, and the
// position in such a group is 0 (a mesh axis of size 1 communicates nothing).
// CHECK-LABEL: func.func @single_process_collectives
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>)
// CHECK: %[[ZERO:.*]] = cotan.constant dense<0> : tensor<i32>
// CHECK: %[[R:.*]] = cotan.all_reduce sum %[[X]] mesh = [2, 1] axes = [0]
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[ZERO]], %[[R]]
func.func @single_process_collectives(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i32>, tensor<4x3xf32>) {
  %0 = cotan.all_reduce max %x mesh = [2, 1] axes = [1] : tensor<4x3xf32>
  %1 = cotan.all_gather %x dim = 0 mesh = [1] axes = [0] : tensor<4x3xf32> -> tensor<4x3xf32>
  %2 = cotan.reduce_scatter %x dim = 1 mesh = [1] axes = [0] : tensor<4x3xf32> -> tensor<4x3xf32>
  %3 = cotan.all_to_all %x split = 0 concat = 1 mesh = [1, 2] axes = [0] : tensor<4x3xf32> -> tensor<4x3xf32>
  %4 = cotan.collective_broadcast %x root = 0 mesh = [3, 1] axes = [1] : tensor<4x3xf32>
  %5 = cotan.axis_index mesh = [2, 1] axes = [1] : tensor<i32>
  %6 = cotan.all_reduce sum %x mesh = [2, 1] axes = [0] : tensor<4x3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<i32>, tensor<4x3xf32>
}

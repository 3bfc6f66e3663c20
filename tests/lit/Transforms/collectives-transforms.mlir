// RUN: cotan-opt %s --split-input-file --cotan-expand-transforms | FileCheck %s

// A sum's tangent and cotangent are summed over the group too.
// CHECK-LABEL: func.func private @reduced_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>)
// CHECK: %[[CTS:.*]] = cotan.all_reduce sum %[[CT]] mesh = [4] axes = [0]
// CHECK: return %{{.*}}, %[[CTS]]
// CHECK-LABEL: func.func private @reduced_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[T:.*]]: tensor<3xf32>)
// CHECK: %[[TS:.*]] = cotan.all_reduce sum %[[T]] mesh = [4] axes = [0]
// CHECK: return %{{.*}}, %[[TS]]
func.func private @reduced(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.all_reduce sum %x mesh = [4] axes = [0] : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @sum_derivatives(%x: tensor<3xf32>, %t: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %r:2 = cotan.vjp @reduced(%x) cotangents(%t) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  %j:2 = cotan.jvp @reduced(%x) tangents(%t) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1, %j#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// A max's cotangent goes to the processes holding the maximum, split
// evenly between ties (their count is itself an all-reduce).
// CHECK-LABEL: func.func private @maxed_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>)
// CHECK: %[[MAX:.*]] = cotan.all_reduce max %[[X]]
// CHECK: %[[TOTAL:.*]] = cotan.all_reduce sum %[[CT]]
// CHECK: %[[HIT:.*]] = cotan.compare eq, %[[X]], %[[MAX]]
// CHECK: %[[W:.*]] = cotan.convert %[[HIT]]
// CHECK: %[[TIES:.*]] = cotan.all_reduce sum %[[W]]
// CHECK: %[[SHARE:.*]] = cotan.div %[[W]], %[[TIES]]
// CHECK: %[[G:.*]] = cotan.mul %[[TOTAL]], %[[SHARE]]
// CHECK: return %[[MAX]], %[[G]]
func.func private @maxed(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.all_reduce max %x mesh = [4] axes = [0] : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @max_vjp(%x: tensor<3xf32>, %t: tensor<3xf32>) -> tensor<3xf32> {
  %r:2 = cotan.vjp @maxed(%x) cotangents(%t) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

// all_gather and reduce_scatter transpose each other.
// CHECK-LABEL: func.func private @gathered_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[CT:.*]]: tensor<2x6xf32>)
// CHECK: %[[G:.*]] = cotan.reduce_scatter %[[CT]] dim = 1 mesh = [2] axes = [0] : tensor<2x6xf32> -> tensor<2x3xf32>
// CHECK: return %{{.*}}, %[[G]]
func.func private @gathered(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  %0 = cotan.all_gather %x dim = 1 mesh = [2] axes = [0] : tensor<2x3xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}
func.func @gather_vjp(%x: tensor<2x3xf32>, %t: tensor<2x6xf32>) -> tensor<2x3xf32> {
  %r:2 = cotan.vjp @gathered(%x) cotangents(%t) : (tensor<2x3xf32>, tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x3xf32>)
  return %r#1 : tensor<2x3xf32>
}

// -----

// An all-to-all's transpose swaps its split and concat dimensions.
// CHECK-LABEL: func.func private @exchanged_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[CT:.*]]: tensor<2x6xf32>)
// CHECK: %[[G:.*]] = cotan.all_to_all %[[CT]] split = 1 concat = 0 mesh = [2] axes = [0] : tensor<2x6xf32> -> tensor<4x3xf32>
// CHECK: return %{{.*}}, %[[G]]
func.func private @exchanged(%x: tensor<4x3xf32>) -> tensor<2x6xf32> {
  %0 = cotan.all_to_all %x split = 0 concat = 1 mesh = [2] axes = [0] : tensor<4x3xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}
func.func @all_to_all_vjp(%x: tensor<4x3xf32>, %t: tensor<2x6xf32>) -> tensor<4x3xf32> {
  %r:2 = cotan.vjp @exchanged(%x) cotangents(%t) : (tensor<4x3xf32>, tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<4x3xf32>)
  return %r#1 : tensor<4x3xf32>
}

// -----

// A broadcast's cotangents are summed onto the root; the others get zero.
// CHECK-LABEL: func.func private @from_root_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>)
// CHECK: %[[TOTAL:.*]] = cotan.all_reduce sum %[[CT]]
// CHECK: %[[POS:.*]] = cotan.axis_index mesh = [4] axes = [0] : tensor<i32>
// CHECK: %[[ROOT:.*]] = cotan.constant dense<1> : tensor<i32>
// CHECK: %[[IS:.*]] = cotan.compare eq, %[[POS]], %[[ROOT]]
// CHECK: %[[MASK:.*]] = cotan.broadcast_in_dim %[[IS]]
// CHECK: %[[G:.*]] = cotan.select %[[MASK]], %[[TOTAL]]
// CHECK: return %{{.*}}, %[[G]]
func.func private @from_root(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.collective_broadcast %x root = 1 mesh = [4] axes = [0] : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @broadcast_vjp(%x: tensor<3xf32>, %t: tensor<3xf32>) -> tensor<3xf32> {
  %r:2 = cotan.vjp @from_root(%x) cotangents(%t) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

// Batching prepends a dimension on every process: the collectives shift
// their dimensions and communicate the whole batch at once.
// CHECK-LABEL: func.func private @per_process_vmap_0
// CHECK-SAME: (%[[X:.*]]: tensor<5x4x3xf32>)
// CHECK: %[[S:.*]] = cotan.all_reduce min %[[X]] mesh = [2] axes = [0] : tensor<5x4x3xf32>
// CHECK: %[[G:.*]] = cotan.all_gather %[[S]] dim = 2 mesh = [2] axes = [0] : tensor<5x4x3xf32> -> tensor<5x4x6xf32>
// CHECK: %[[R:.*]] = cotan.reduce_scatter %[[G]] dim = 1 mesh = [2] axes = [0] : tensor<5x4x6xf32> -> tensor<5x2x6xf32>
// CHECK: %[[A:.*]] = cotan.all_to_all %[[R]] split = 2 concat = 1 mesh = [2] axes = [0] : tensor<5x2x6xf32> -> tensor<5x4x3xf32>
// CHECK: %[[B:.*]] = cotan.collective_broadcast %[[A]] root = 1 mesh = [2] axes = [0] : tensor<5x4x3xf32>
// CHECK: return %[[B]]
func.func private @per_process(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %0 = cotan.all_reduce min %x mesh = [2] axes = [0] : tensor<4x3xf32>
  %1 = cotan.all_gather %0 dim = 1 mesh = [2] axes = [0] : tensor<4x3xf32> -> tensor<4x6xf32>
  %2 = cotan.reduce_scatter %1 dim = 0 mesh = [2] axes = [0] : tensor<4x6xf32> -> tensor<2x6xf32>
  %3 = cotan.all_to_all %2 split = 1 concat = 0 mesh = [2] axes = [0] : tensor<2x6xf32> -> tensor<4x3xf32>
  %4 = cotan.collective_broadcast %3 root = 1 mesh = [2] axes = [0] : tensor<4x3xf32>
  return %4 : tensor<4x3xf32>
}
func.func @per_process_vmap(%xs: tensor<5x4x3xf32>) -> tensor<5x4x3xf32> {
  %r = cotan.vmap @per_process(%xs) batched = [true] : (tensor<5x4x3xf32>) -> tensor<5x4x3xf32>
  return %r : tensor<5x4x3xf32>
}

// RUN: cotan-opt %s --split-input-file --cotan-vmap | FileCheck %s

// The issue's seed example: a matrix-vector product mapped over vectors
// picks up the batch as a dot_general dimension, not a loop. The unbatched
// bias is broadcast along the batch for the elementwise add.
// CHECK-LABEL: func.func private @g_vmap
// CHECK-SAME: (%[[A:.*]]: tensor<100x300xf32>, %[[V:.*]]: tensor<10x300xf32>, %[[B:.*]]: tensor<100xf32>) -> tensor<10x100xf32>
// CHECK: %[[P:.*]] = cotan.dot_general %[[A]], %[[V]] {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<100x300xf32>, tensor<10x300xf32>) -> tensor<100x10xf32>
// CHECK: %[[T:.*]] = cotan.transpose %[[P]] perm = [1, 0] : tensor<100x10xf32> -> tensor<10x100xf32>
// CHECK: %[[BB:.*]] = cotan.broadcast_in_dim %[[B]] dims = [1] : tensor<100xf32> -> tensor<10x100xf32>
// CHECK: %[[S:.*]] = cotan.add %[[T]], %[[BB]] : tensor<10x100xf32>
// CHECK: return %[[S]]
// CHECK-NOT: cotan.slice
func.func private @g(%a: tensor<100x300xf32>, %v: tensor<300xf32>, %b: tensor<100xf32>) -> tensor<100xf32> {
  %0 = cotan.dot_general %a, %v {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<100x300xf32>, tensor<300xf32>) -> tensor<100xf32>
  %1 = cotan.add %0, %b : tensor<100xf32>
  return %1 : tensor<100xf32>
}
func.func @seed(%a: tensor<100x300xf32>, %vs: tensor<10x300xf32>, %b: tensor<100xf32>) -> tensor<10x100xf32> {
  %r = cotan.vmap @g(%a, %vs, %b) batched = [false, true, false] : (tensor<100x300xf32>, tensor<10x300xf32>, tensor<100xf32>) -> tensor<10x100xf32>
  return %r : tensor<10x100xf32>
}

// -----

// Both operands batched: the batch becomes a dot_general batching
// dimension; reductions and shape ops shift their dimensions by one.
// CHECK-LABEL: func.func private @h_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<8x2x3xf32>, %[[Y:.*]]: tensor<8x3x4xf32>) -> tensor<8x4xf32>
// CHECK: %[[M:.*]] = cotan.dot_general %[[X]], %[[Y]] {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<8x2x3xf32>, tensor<8x3x4xf32>) -> tensor<8x2x4xf32>
// CHECK: %[[T:.*]] = cotan.transpose %[[M]] perm = [0, 2, 1] : tensor<8x2x4xf32> -> tensor<8x4x2xf32>
// CHECK: cotan.reduce_max %[[T]] dims = [2] : tensor<8x4x2xf32> -> tensor<8x4xf32>
func.func private @h(%x: tensor<2x3xf32>, %y: tensor<3x4xf32>) -> tensor<4xf32> {
  %0 = cotan.dot_general %x, %y {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = cotan.transpose %0 perm = [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  %2 = cotan.reduce_max %1 dims = [1] : tensor<4x2xf32> -> tensor<4xf32>
  return %2 : tensor<4xf32>
}
func.func @both(%xs: tensor<8x2x3xf32>, %ys: tensor<8x3x4xf32>) -> tensor<8x4xf32> {
  %r = cotan.vmap @h(%xs, %ys) batched = [true, true] : (tensor<8x2x3xf32>, tensor<8x3x4xf32>) -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}

// -----

// Both operands batched: take folds the batch into the gathered axis and
// offsets each example's (clamped) indices by b * n.
// CHECK-LABEL: func.func private @pick_vmap
// CHECK-SAME: (%[[T:.*]]: tensor<2x5xf32>, %[[I:.*]]: tensor<2x3xi32>) -> tensor<2x3xf32>
// CHECK: %[[F:.*]] = cotan.reshape %{{.*}} : tensor<2x5xf32> -> tensor<10xf32>
// CHECK: %[[B:.*]] = cotan.iota dim = 0 : tensor<2x3xi32>
// CHECK: %[[O:.*]] = cotan.mul %[[B]], %{{.*}} : tensor<2x3xi32>
// CHECK: %[[J:.*]] = cotan.add %{{.*}}, %[[O]] : tensor<2x3xi32>
// CHECK: cotan.take %[[F]][%[[J]]] axis = 0 : (tensor<10xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
// CHECK-NOT: cotan.concatenate
func.func private @pick(%t: tensor<5xf32>, %i: tensor<3xi32>) -> tensor<3xf32> {
  %0 = cotan.take %t[%i] axis = 0 : (tensor<5xf32>, tensor<3xi32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @gathered(%t: tensor<2x5xf32>, %i: tensor<2x3xi32>) -> tensor<2x3xf32> {
  %r = cotan.vmap @pick(%t, %i) batched = [true, true] : (tensor<2x5xf32>, tensor<2x3xi32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

// Per-example start indices of a dynamic_slice of a shared operand: a
// take of the clamped window indices from the operand itself (no copy per
// example, no loop).
// CHECK-LABEL: func.func private @window_vmap
// CHECK-SAME: (%[[T:.*]]: tensor<5xf32>, %[[S:.*]]: tensor<2xi32>)
// CHECK: %[[LO:.*]] = cotan.max %[[S]], %{{.*}} : tensor<2xi32>
// CHECK: %[[C:.*]] = cotan.min %[[LO]], %{{.*}} : tensor<2xi32>
// CHECK: %[[I:.*]] = cotan.iota dim = 0 : tensor<2xi32>
// CHECK: %[[ST:.*]] = cotan.broadcast_in_dim %[[C]] dims = [0] : tensor<2xi32> -> tensor<2x2xi32>
// CHECK: %[[OFF:.*]] = cotan.broadcast_in_dim %[[I]] dims = [1] : tensor<2xi32> -> tensor<2x2xi32>
// CHECK: %[[W:.*]] = cotan.add %[[ST]], %[[OFF]] : tensor<2x2xi32>
// CHECK: cotan.take %[[T]][%[[W]]] axis = 0 : (tensor<5xf32>, tensor<2x2xi32>) -> tensor<2x2xf32>
// CHECK-NOT: cotan.dynamic_slice
// CHECK-NOT: cotan.concatenate
func.func private @window(%t: tensor<5xf32>, %i: tensor<i32>) -> tensor<2xf32> {
  %0 = cotan.dynamic_slice %t[%i] sizes = [2] : (tensor<5xf32>, tensor<i32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func @windows(%t: tensor<5xf32>, %i: tensor<2xi32>) -> tensor<2x2xf32> {
  %r = cotan.vmap @window(%t, %i) batched = [false, true] : (tensor<5xf32>, tensor<2xi32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

// -----

// Without a rule for the case (a per-example padding value), the op runs
// once per batch element and the results are concatenated.
// CHECK-LABEL: func.func private @padded_vmap
// CHECK-COUNT-2: cotan.pad
// CHECK: cotan.concatenate %{{.*}}, %{{.*}} dim = 0 : (tensor<1x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
func.func private @padded(%t: tensor<3xf32>, %p: tensor<f32>) -> tensor<5xf32> {
  %0 = cotan.pad %t, %p low = [1] high = [1] interior = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
func.func @looped(%t: tensor<3xf32>, %p: tensor<2xf32>) -> tensor<2x5xf32> {
  %r = cotan.vmap @padded(%t, %p) batched = [false, true] : (tensor<3xf32>, tensor<2xf32>) -> tensor<2x5xf32>
  return %r : tensor<2x5xf32>
}

// -----

// Per-example start indices of a dynamic_update_slice: the update is
// spread over the operand (position p reads update element p - start) and
// selected inside each example's window, no loop.
// CHECK-LABEL: func.func private @write_vmap
// CHECK-SAME: (%[[T:.*]]: tensor<5xf32>, %[[U:.*]]: tensor<2xf32>, %[[S:.*]]: tensor<2xi32>)
// CHECK: %[[TB:.*]] = cotan.broadcast_in_dim %[[T]] dims = [1] : tensor<5xf32> -> tensor<2x5xf32>
// CHECK: %[[UB:.*]] = cotan.broadcast_in_dim %[[U]] dims = [1] : tensor<2xf32> -> tensor<2x2xf32>
// CHECK: %[[OFF:.*]] = cotan.sub %{{.*}}, %{{.*}} : tensor<2x5xi32>
// CHECK: %[[GE:.*]] = cotan.compare ge, %[[OFF]]
// CHECK: %[[LT:.*]] = cotan.compare lt, %[[OFF]]
// CHECK: %[[IN:.*]] = cotan.and %[[GE]], %[[LT]] : tensor<2x5xi1>
// CHECK: %[[SPREAD:.*]] = cotan.take %{{.*}}[%{{.*}}] axis = 0 : (tensor<4xf32>, tensor<2x5xi32>) -> tensor<2x5xf32>
// CHECK: %[[MASK:.*]] = cotan.broadcast_in_dim %[[IN]] dims = [0, 1]
// CHECK: cotan.select %[[MASK]], %[[SPREAD]], %[[TB]] : tensor<2x5xi1>, tensor<2x5xf32>
// CHECK-NOT: cotan.dynamic_update_slice
// CHECK-NOT: cotan.concatenate
func.func private @write(%t: tensor<5xf32>, %u: tensor<2xf32>, %i: tensor<i32>) -> tensor<5xf32> {
  %0 = cotan.dynamic_update_slice %t[%i], %u : (tensor<5xf32>, tensor<2xf32>, tensor<i32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}
func.func @written(%t: tensor<5xf32>, %u: tensor<2xf32>, %i: tensor<2xi32>) -> tensor<2x5xf32> {
  %r = cotan.vmap @write(%t, %u, %i) batched = [false, false, true] : (tensor<5xf32>, tensor<2xf32>, tensor<2xi32>) -> tensor<2x5xf32>
  return %r : tensor<2x5xf32>
}

// -----

// A debug callback has no batching rule: it runs once per batch element,
// on that element's slice (unbatched operands shared), in order.
// CHECK-LABEL: func.func private @show_vmap
// CHECK: %[[S0:.*]] = cotan.slice %arg0 start = [0, 0]
// CHECK: %[[E0:.*]] = cotan.reshape %[[S0]] : tensor<1x2xf32> -> tensor<2xf32>
// CHECK: cotan.debug_callback 9(%[[E0]], %arg1 : tensor<2xf32>, tensor<f32>)
// CHECK: %[[S1:.*]] = cotan.slice %arg0 start = [1, 0]
// CHECK: %[[E1:.*]] = cotan.reshape %[[S1]] : tensor<1x2xf32> -> tensor<2xf32>
// CHECK: cotan.debug_callback 9(%[[E1]], %arg1 : tensor<2xf32>, tensor<f32>)
// CHECK-NOT: cotan.debug_callback
func.func private @show(%row: tensor<2xf32>, %s: tensor<f32>) -> tensor<2xf32> {
  cotan.debug_callback 9 (%row, %s : tensor<2xf32>, tensor<f32>)
  return %row : tensor<2xf32>
}
func.func @map_show(%rows: tensor<2x2xf32>, %s: tensor<f32>) -> tensor<2x2xf32> {
  %r = cotan.vmap @show(%rows, %s) batched = [true, false] : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

// -----

// A batched sort sorts along the shifted dimension; an unbatched payload
// is broadcast along the batch first.
// CHECK-LABEL: func.func private @sort_by_vmap
// CHECK-SAME: (%[[K:.*]]: tensor<4x6xf32>, %[[P:.*]]: tensor<6xi32>)
// CHECK: %[[PB:.*]] = cotan.broadcast_in_dim %[[P]] dims = [1] : tensor<6xi32> -> tensor<4x6xi32>
// CHECK: %[[S:.*]]:2 = cotan.sort %[[K]], %[[PB]] dim = 1 keys = 1 : tensor<4x6xf32>, tensor<4x6xi32>
// CHECK: return %[[S]]#1
func.func private @sort_by(%k: tensor<6xf32>, %p: tensor<6xi32>) -> tensor<6xi32> {
  %0:2 = cotan.sort %k, %p dim = 0 keys = 1 : tensor<6xf32>, tensor<6xi32>
  return %0#1 : tensor<6xi32>
}
func.func @sort_batch(%ks: tensor<4x6xf32>, %p: tensor<6xi32>) -> tensor<4x6xi32> {
  %r = cotan.vmap @sort_by(%ks, %p) batched = [true, false] : (tensor<4x6xf32>, tensor<6xi32>) -> tensor<4x6xi32>
  return %r : tensor<4x6xi32>
}

// RUN: cotan-opt %s --split-input-file --cotan-vmap | FileCheck %s

// A symbolic batch (vmap over a `?` dimension) is read once from the first
// batched argument; a shared operand is broadcast to it.
// CHECK-LABEL: func.func private @affine_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<3xf32>) -> tensor<?x3xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x3xf32>
// CHECK: %[[BB:.*]] = cotan.broadcast_in_dim %[[B]][%[[N]]] dims = [1] : tensor<3xf32> -> tensor<?x3xf32>
// CHECK: cotan.add %[[X]], %[[BB]] : tensor<?x3xf32>
func.func private @affine(%x: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.add %x, %b : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @affine_batch(%xs: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %r = cotan.vmap @affine(%xs, %b) batched = [true, false] : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// -----

// Shape ops creating batched tensors take the batch size as their first
// dynamic size; a slice keeps the batch whole (limit -1). An unbatched
// result is broadcast to the batch on return.
// CHECK-LABEL: func.func private @shapes_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x3xf32>) -> (tensor<?x6xf32>, tensor<?x2x4xf32>, tensor<?x2xf32>, tensor<?xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]]
// CHECK: cotan.reshape %[[X]][%[[N]]] : tensor<?x2x3xf32> -> tensor<?x6xf32>
// CHECK: %[[S:.*]] = cotan.slice %[[X]] start = [0, 0, 1] limit = [-1, 2, 2] strides = [1, 1, 1] : tensor<?x2x3xf32> -> tensor<?x2x1xf32>
// CHECK: cotan.broadcast_in_dim %[[S]][%[[N]]] dims = [0, 1, 2] : tensor<?x2x1xf32> -> tensor<?x2x4xf32>
// CHECK: cotan.reshape %[[S]][%[[N]]] : tensor<?x2x1xf32> -> tensor<?x2xf32>
// CHECK: %[[C:.*]] = cotan.constant
// CHECK: cotan.broadcast_in_dim %[[C]][%[[N]]] dims = [] : tensor<f32> -> tensor<?xf32>
func.func private @shapes(%x: tensor<2x3xf32>) -> (tensor<6xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<f32>) {
  %0 = cotan.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %1 = cotan.slice %x start = [0, 1] limit = [2, 2] strides = [1, 1] : tensor<2x3xf32> -> tensor<2x1xf32>
  %2 = cotan.broadcast_in_dim %1 dims = [0, 1] : tensor<2x1xf32> -> tensor<2x4xf32>
  %3 = cotan.reshape %1 : tensor<2x1xf32> -> tensor<2xf32>
  %4 = cotan.constant dense<1.0> : tensor<f32>
  return %0, %2, %3, %4 : tensor<6xf32>, tensor<2x4xf32>, tensor<2xf32>, tensor<f32>
}
func.func @shapes_batch(%xs: tensor<?x2x3xf32>) -> (tensor<?x6xf32>, tensor<?x2x4xf32>, tensor<?x2xf32>, tensor<?xf32>) {
  %r:4 = cotan.vmap @shapes(%xs) batched = [true] : (tensor<?x2x3xf32>) -> (tensor<?x6xf32>, tensor<?x2x4xf32>, tensor<?x2xf32>, tensor<?xf32>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<?x6xf32>, tensor<?x2x4xf32>, tensor<?x2xf32>, tensor<?xf32>
}

// -----

// Per-example take over a symbolic batch: folding the batch into the axis
// would make it dynamic, so each example's clamped index is compared with
// every position of the static axis and the selected element summed out.
// CHECK-LABEL: func.func private @pick_vmap
// CHECK-SAME: (%[[T:.*]]: tensor<?x5xf32>, %[[I:.*]]: tensor<?x3xi32>) -> tensor<?x3xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[T]]
// CHECK: %[[C:.*]] = cotan.min
// CHECK: %[[IDX:.*]] = cotan.broadcast_in_dim %[[C]][%[[N]]] dims = [0, 1] : tensor<?x3xi32> -> tensor<?x3x5xi32>
// CHECK: %[[POS:.*]] = cotan.iota[%[[N]]] dim = 2 : tensor<?x3x5xi32>
// CHECK: %[[HOT:.*]] = cotan.compare eq, %[[IDX]], %[[POS]]
// CHECK: %[[ROWS:.*]] = cotan.broadcast_in_dim %[[T]][%[[N]]] dims = [0, 2] : tensor<?x5xf32> -> tensor<?x3x5xf32>
// CHECK: %[[SEL:.*]] = cotan.select %[[HOT]], %[[ROWS]], %{{.*}}
// CHECK: cotan.reduce_sum %[[SEL]] dims = [2] : tensor<?x3x5xf32> -> tensor<?x3xf32>
// CHECK-NOT: cotan.take
func.func private @pick(%t: tensor<5xf32>, %i: tensor<3xi32>) -> tensor<3xf32> {
  %0 = cotan.take %t[%i] axis = 0 : (tensor<5xf32>, tensor<3xi32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @gathered(%t: tensor<?x5xf32>, %i: tensor<?x3xi32>) -> tensor<?x3xf32> {
  %r = cotan.vmap @pick(%t, %i) batched = [true, true] : (tensor<?x5xf32>, tensor<?x3xi32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// -----

// A dynamic_slice of a shared table at per-example starts gathers the
// window with take, without copying the table per example.
// CHECK-LABEL: func.func private @row_vmap
// CHECK-SAME: (%[[E:.*]]: tensor<10x4xf32>, %[[S:.*]]: tensor<?xi32>) -> tensor<?x1x4xf32>
// CHECK-NOT: cotan.dynamic_slice
// CHECK: %[[W:.*]] = cotan.add %{{.*}}, %{{.*}} : tensor<?x1xi32>
// CHECK: %[[G:.*]] = cotan.take %[[E]][%[[W]]] axis = 0 : (tensor<10x4xf32>, tensor<?x1xi32>) -> tensor<?x1x4xf32>
// CHECK: return %[[G]]
func.func private @row(%e: tensor<10x4xf32>, %s: tensor<i32>) -> tensor<1x4xf32> {
  %z = cotan.constant dense<0> : tensor<i32>
  %0 = cotan.dynamic_slice %e[%s, %z] sizes = [1, 4] : (tensor<10x4xf32>, tensor<i32>, tensor<i32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
func.func @rows(%e: tensor<10x4xf32>, %s: tensor<?xi32>) -> tensor<?x1x4xf32> {
  %r = cotan.vmap @row(%e, %s) batched = [false, true] : (tensor<10x4xf32>, tensor<?xi32>) -> tensor<?x1x4xf32>
  return %r : tensor<?x1x4xf32>
}

// -----

// A static batch over examples with `?` dimensions: tensor.dim of an
// example reads the next dimension of the batch and stays unbatched.
// CHECK-LABEL: func.func private @center_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<3x?xf32>) -> tensor<3x?xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<3x?xf32>
// CHECK: cotan.broadcast_in_dim %{{.*}}[%[[N]]] dims = [0] : tensor<3xf32> -> tensor<3x?xf32>
func.func private @center(%x: tensor<?xf32>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %s = cotan.reduce_sum %x dims = [0] : tensor<?xf32> -> tensor<f32>
  %m = cotan.broadcast_in_dim %s[%n] dims = [] : tensor<f32> -> tensor<?xf32>
  %0 = cotan.sub %x, %m : tensor<?xf32>
  return %0 : tensor<?xf32>
}
func.func @centered(%xs: tensor<3x?xf32>) -> tensor<3x?xf32> {
  %r = cotan.vmap @center(%xs) batched = [true] : (tensor<3x?xf32>) -> tensor<3x?xf32>
  return %r : tensor<3x?xf32>
}

// -----

// A while loop over a symbolic batch runs until every example is done;
// examples that are done keep their values (a select sized at run time).
// CHECK-LABEL: func.func private @grow_vmap
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK: cotan.while (%[[X]]) consts () : (tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK: cotan.reduce_max %{{.*}} dims = [0] : tensor<?xi1> -> tensor<i1>
// CHECK: } do {
// CHECK: %[[RUNNING:.*]] = cotan.broadcast_in_dim %{{.*}}[%{{.*}}] dims = [0] : tensor<?xi1> -> tensor<?x3xi1>
// CHECK: cotan.select %[[RUNNING]]
func.func private @grow(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.while (%x) consts () : (tensor<3xf32>) -> tensor<3xf32>
  cond {
  ^bb0(%c: tensor<3xf32>):
    %s = cotan.reduce_sum %c dims = [0] : tensor<3xf32> -> tensor<f32>
    %k = cotan.constant dense<10.0> : tensor<f32>
    %p = cotan.compare lt, %s, %k : tensor<f32> -> tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%c: tensor<3xf32>):
    %d = cotan.add %c, %c : tensor<3xf32>
    cotan.yield %d : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}
func.func @grown(%xs: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %r = cotan.vmap @grow(%xs) batched = [true] : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

// -----

// A switch on a shared index over a symbolic batch stays a switch, its
// branches batched.
// CHECK-LABEL: func.func private @pick_branch_vmap
// CHECK: cotan.switch %{{.*}} (%{{.*}}) : tensor<i32>, (tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK: cotan.neg %{{.*}} : tensor<?x3xf32>
func.func private @pick_branch(%i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<3xf32>):
    %n = cotan.neg %a : tensor<3xf32>
    cotan.yield %n : tensor<3xf32>
  }, {
  ^bb0(%a: tensor<3xf32>):
    cotan.yield %a : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}
func.func @branched(%i: tensor<i32>, %xs: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %r = cotan.vmap @pick_branch(%i, %xs) batched = [false, true] : (tensor<i32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %r : tensor<?x3xf32>
}

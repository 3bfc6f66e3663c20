// RUN: cotan-opt %s --cotan-vmap --canonicalize | FileCheck %s
// Batching control flow: a batched switch index selects among all branches,
// a batched while runs until every element is done, a scan moves the batch
// dimension behind the scanned one.

// CHECK-LABEL: func.func private @pick_vmap(
// CHECK-SAME: %[[I:.*]]: tensor<4xi32>, %[[X:.*]]: tensor<4x3xf32>
// CHECK-NOT: cotan.switch
// CHECK: %[[NEG:.*]] = cotan.neg %[[X]]
// CHECK: %[[FIRST:.*]] = cotan.compare le, %[[I]], %{{.*}} : tensor<4xi32> -> tensor<4xi1>
// CHECK: %[[PRED:.*]] = cotan.broadcast_in_dim %[[FIRST]] dims = [0] : tensor<4xi1> -> tensor<4x3xi1>
// CHECK: %[[R:.*]] = cotan.select %[[PRED]], %[[NEG]], %[[X]]
// CHECK: return %[[R]]

// An index shared by the batch keeps the switch, over batched branches.
// CHECK-LABEL: func.func private @pick_vmap_0(
// CHECK: cotan.switch %arg0 (%arg1) : tensor<i32>, (tensor<4x3xf32>) -> tensor<4x3xf32>
// CHECK: cotan.neg %{{.*}} : tensor<4x3xf32>

// CHECK-LABEL: func.func private @loop_vmap(
// CHECK: cotan.while (%arg0) consts (%arg1) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32> cond {
// CHECK: %[[RUNNING:.*]] = cotan.compare lt, %{{.*}}, %{{.*}} : tensor<4xf32> -> tensor<4xi1>
// CHECK: %[[ANY:.*]] = cotan.reduce_max %[[RUNNING]] dims = [0] : tensor<4xi1> -> tensor<i1>
// CHECK: cotan.yield %[[ANY]] : tensor<i1>
// CHECK: } do {
// CHECK: ^bb0(%[[V:.*]]: tensor<4xf32>, %{{.*}}: tensor<f32>):
// CHECK: %[[STILL:.*]] = cotan.compare lt
// CHECK: %[[NEXT:.*]] = cotan.add %[[V]], %[[V]]
// CHECK: %[[KEPT:.*]] = cotan.select %[[STILL]], %[[NEXT]], %[[V]]
// CHECK: cotan.yield %[[KEPT]]

// CHECK-LABEL: func.func private @cumsum_vmap(
// CHECK: %[[INIT:.*]] = cotan.broadcast_in_dim %arg0 dims = [] : tensor<f32> -> tensor<4xf32>
// CHECK: %[[XS:.*]] = cotan.transpose %arg1 perm = [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
// CHECK: %[[S:.*]]:2 = cotan.scan length = 5 (%[[INIT]]) xs (%[[XS]]) consts () : (tensor<4xf32>, tensor<5x4xf32>) -> (tensor<4xf32>, tensor<5x4xf32>)
// CHECK: %[[YS:.*]] = cotan.transpose %[[S]]#1 perm = [1, 0] : tensor<5x4xf32> -> tensor<4x5xf32>
// CHECK: return %[[YS]]

func.func private @pick(%i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
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
func.func @vmap_pick(%i: tensor<4xi32>, %x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %r = cotan.vmap @pick(%i, %x) batched = [true, true] : (tensor<4xi32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
func.func @vmap_pick_shared_index(%i: tensor<i32>, %x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %r = cotan.vmap @pick(%i, %x) batched = [false, true] : (tensor<i32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
func.func private @loop(%x: tensor<f32>, %limit: tensor<f32>) -> tensor<f32> {
  %r = cotan.while (%x) consts (%limit) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  cond {
  ^bb0(%a: tensor<f32>, %l: tensor<f32>):
    %p = cotan.compare lt, %a, %l : tensor<f32> -> tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>, %l: tensor<f32>):
    %e = cotan.add %a, %a : tensor<f32>
    cotan.yield %e : tensor<f32>
  }
  return %r : tensor<f32>
}
func.func @vmap_loop(%x: tensor<4xf32>, %l: tensor<f32>) -> tensor<4xf32> {
  %r = cotan.vmap @loop(%x, %l) batched = [true, false] : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
func.func private @cumsum(%c: tensor<f32>, %xs: tensor<5xf32>) -> tensor<5xf32> {
  %r:2 = cotan.scan length = 5 (%c) xs (%xs) consts () : (tensor<f32>, tensor<5xf32>) -> (tensor<f32>, tensor<5xf32>) {
  ^bb0(%carry: tensor<f32>, %x: tensor<f32>):
    %next = cotan.add %carry, %x : tensor<f32>
    cotan.yield %next, %next : tensor<f32>, tensor<f32>
  }
  return %r#1 : tensor<5xf32>
}
func.func @vmap_cumsum(%c: tensor<f32>, %xs: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %r = cotan.vmap @cumsum(%c, %xs) batched = [false, true] : (tensor<f32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}

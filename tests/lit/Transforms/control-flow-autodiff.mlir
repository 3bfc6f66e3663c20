// RUN: cotan-opt %s --split-input-file --cotan-expand-autodiff --canonicalize | FileCheck %s
// Derivatives through control flow: tangents ride along in the same op;
// the adjoint of a scan stacks the carries and runs a reversed scan.

// The forward scan also stacks the carry each step starts from; the
// backward scan runs in reverse over those carries, the xs and the ys'
// cotangents, carrying the carry's cotangent and the sum of the invariant's.
// The step's forward values it does not need are gone after canonicalize.
// CHECK-LABEL: func.func private @scan_body_vjp
// CHECK-SAME: (%[[C:.*]]: tensor<f32>, %[[XS:.*]]: tensor<5xf32>, %[[W:.*]]: tensor<f32>, %[[CT:.*]]: tensor<f32>)
// CHECK-DAG: %[[ZERO:.*]] = cotan.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[ZEROS:.*]] = cotan.constant dense<0.000000e+00> : tensor<5xf32>
// CHECK: %[[FWD:.*]]:3 = cotan.scan length = 5 (%[[C]]) xs (%[[XS]]) consts (%[[W]]) : (tensor<f32>, tensor<5xf32>, tensor<f32>) -> (tensor<f32>, tensor<5xf32>, tensor<5xf32>)
// CHECK: ^bb0(%[[K:.*]]: tensor<f32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>):
// CHECK: cotan.yield %{{.*}}, %{{.*}}, %[[K]] : tensor<f32>, tensor<f32>, tensor<f32>
// CHECK: %[[BWD:.*]]:3 = cotan.scan length = 5 reverse (%[[CT]], %[[ZERO]]) xs (%[[FWD]]#2, %[[XS]], %[[ZEROS]]) consts (%[[W]])
// CHECK: ^bb0(%[[DC:.*]]: tensor<f32>, %[[DW:.*]]: tensor<f32>, %[[KI:.*]]: tensor<f32>, %{{.*}}: tensor<f32>, %[[DY:.*]]: tensor<f32>, %[[V:.*]]: tensor<f32>):
// CHECK: %[[DM:.*]] = cotan.add %[[DY]], %[[DC]] : tensor<f32>
// CHECK: %[[DK:.*]] = cotan.mul %[[DM]], %[[V]] : tensor<f32>
// CHECK: %[[DV:.*]] = cotan.mul %[[DM]], %[[KI]] : tensor<f32>
// CHECK: %[[SUM:.*]] = cotan.add %[[DW]], %[[DV]] : tensor<f32>
// CHECK: cotan.yield %[[DK]], %[[SUM]], %[[DC]] : tensor<f32>, tensor<f32>, tensor<f32>
// CHECK: return %[[FWD]]#0, %[[BWD]]#0, %[[BWD]]#2, %[[BWD]]#1
func.func private @scan_body(%c: tensor<f32>, %xs: tensor<5xf32>, %w: tensor<f32>) -> tensor<f32> {
  %r:2 = cotan.scan length = 5 (%c) xs (%xs) consts (%w) : (tensor<f32>, tensor<5xf32>, tensor<f32>) -> (tensor<f32>, tensor<5xf32>) {
  ^bb0(%carry: tensor<f32>, %x: tensor<f32>, %v: tensor<f32>):
    %m = cotan.mul %carry, %v : tensor<f32>
    %next = cotan.add %m, %x : tensor<f32>
    cotan.yield %next, %m : tensor<f32>, tensor<f32>
  }
  return %r#0 : tensor<f32>
}
func.func @grad_scan(%c: tensor<f32>, %xs: tensor<5xf32>, %w: tensor<f32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<5xf32>, tensor<f32>) {
  %r:4 = cotan.vjp @scan_body(%c, %xs, %w) cotangents(%ct) : (tensor<f32>, tensor<5xf32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<5xf32>, tensor<f32>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<f32>, tensor<f32>, tensor<5xf32>, tensor<f32>
}

// -----

// JVP of a switch: one switch over the tangent branches, returning values
// and tangents; the index has no tangent.
// CHECK-LABEL: func.func private @branchy_jvp
// CHECK-SAME: (%[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<3xf32>, %{{.*}}: tensor<i32>, %[[T:.*]]: tensor<3xf32>)
// CHECK: %[[R:.*]]:2 = cotan.switch %[[I]] (%[[X]], %[[T]]) : tensor<i32>, (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
// CHECK: cotan.sin
// CHECK: cotan.cos
// CHECK: cotan.yield
// CHECK: }, {
// CHECK: cotan.mul
// CHECK: cotan.yield
// CHECK: return %[[R]]#0, %[[R]]#1
func.func private @branchy(%i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.switch %i (%x) : tensor<i32>, (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<3xf32>):
    %s = cotan.sin %a : tensor<3xf32>
    cotan.yield %s : tensor<3xf32>
  }, {
  ^bb0(%a: tensor<3xf32>):
    %m = cotan.mul %a, %a : tensor<3xf32>
    cotan.yield %m : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}
func.func @jvp_switch(%i: tensor<i32>, %x: tensor<3xf32>, %ti: tensor<i32>, %t: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %r:2 = cotan.jvp @branchy(%i, %x) tangents(%ti, %t) : (tensor<i32>, tensor<3xf32>, tensor<i32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// JVP of a while loop: the tangent is carried, the invariant's tangent is
// an invariant, and the predicate ignores tangents.
// CHECK-LABEL: func.func private @loop_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<f32>, %[[L:.*]]: tensor<f32>, %[[TX:.*]]: tensor<f32>, %[[TL:.*]]: tensor<f32>)
// CHECK: %[[R:.*]]:2 = cotan.while (%[[X]], %[[TX]]) consts (%[[L]], %[[TL]])
// CHECK: ^bb0(%[[A:.*]]: tensor<f32>, %{{.*}}: tensor<f32>, %[[LIM:.*]]: tensor<f32>, %{{.*}}: tensor<f32>):
// CHECK: cotan.compare lt, %[[A]], %[[LIM]]
// CHECK: } do {
// CHECK: ^bb0(%[[B:.*]]: tensor<f32>, %[[DB:.*]]: tensor<f32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<f32>):
// CHECK: %[[E:.*]] = cotan.exp %[[B]]
// CHECK: %[[DE:.*]] = cotan.mul %[[E]], %[[DB]]
// CHECK: cotan.yield %[[E]], %[[DE]]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func private @loop(%x: tensor<f32>, %limit: tensor<f32>) -> tensor<f32> {
  %r = cotan.while (%x) consts (%limit) : (tensor<f32>, tensor<f32>) -> tensor<f32>
  cond {
  ^bb0(%a: tensor<f32>, %l: tensor<f32>):
    %p = cotan.compare lt, %a, %l : tensor<f32> -> tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>, %l: tensor<f32>):
    %e = cotan.exp %a : tensor<f32>
    cotan.yield %e : tensor<f32>
  }
  return %r : tensor<f32>
}
func.func @jvp_while(%x: tensor<f32>, %l: tensor<f32>, %t: tensor<f32>, %tl: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  %r:2 = cotan.jvp @loop(%x, %l) tangents(%t, %tl) : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#0, %r#1 : tensor<f32>, tensor<f32>
}

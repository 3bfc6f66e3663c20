// RUN: cotan-opt %s --split-input-file --cotan-check-finite | FileCheck %s

// Every float result of a cotan op is checked right after it is produced,
// numbered in program order; constants and integer or boolean results are
// not. The module records each check's op, source line and pass; ops a VJP
// rule built carry a "backward" name in their location.
// CHECK-LABEL: module attributes {cotan.finite_checks = [
// CHECK-SAME: {loc = "model.py:3", op = "cotan.log", pass = "forward"},
// CHECK-SAME: {loc = "model.py:4", op = "cotan.reduce_sum", pass = "forward"},
// CHECK-SAME: {loc = "model.py:3", op = "cotan.div", pass = "backward"}]}
// CHECK: %[[LOG:.*]] = cotan.log %arg0
// CHECK-NEXT: cotan.check_finite %[[LOG]] check = 0 : tensor<3xf32>
// CHECK-NEXT: %[[SUM:.*]] = cotan.reduce_sum %[[LOG]]
// CHECK-NEXT: cotan.check_finite %[[SUM]] check = 1 : tensor<f32>
// CHECK-NEXT: cotan.constant
// CHECK-NEXT: cotan.compare
// CHECK-NEXT: %[[DIV:.*]] = cotan.div
// CHECK-NEXT: cotan.check_finite %[[DIV]] check = 2 : tensor<3xf32>
func.func @f(%x: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>) {
  %l = cotan.log %x : tensor<3xf32> loc("model.py":3:0)
  %s = cotan.reduce_sum %l dims = [0] : tensor<3xf32> -> tensor<f32> loc("model.py":4:0)
  %c = cotan.constant dense<1.0> : tensor<f32>
  %b = cotan.compare gt, %s, %c : tensor<f32> -> tensor<i1>
  %g = cotan.div %x, %x : tensor<3xf32> loc("backward"("model.py":3:0))
  return %s, %g : tensor<f32>, tensor<3xf32>
}

// -----

// Results computed inside loop bodies are checked there, once per iteration.
// CHECK-LABEL: func.func @in_loop
// CHECK: cotan.scan
// CHECK: %[[NEXT:.*]] = cotan.mul
// CHECK-NEXT: cotan.check_finite %[[NEXT]] check = 0
// CHECK: cotan.yield %[[NEXT]]
// CHECK: cotan.check_finite %{{.*}} check = 1
func.func @in_loop(%c: tensor<f32>) -> tensor<f32> {
  %r = cotan.scan length = 10 (%c) xs () consts () : (tensor<f32>) -> tensor<f32> {
  ^bb0(%carry: tensor<f32>):
    %next = cotan.mul %carry, %carry : tensor<f32>
    cotan.yield %next : tensor<f32>
  }
  return %r : tensor<f32>
}

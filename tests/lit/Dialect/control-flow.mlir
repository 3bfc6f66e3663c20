// RUN: cotan-opt %s --split-input-file | cotan-opt --split-input-file | FileCheck %s
// Round trip of the control-flow ops through the printer and parser.

// CHECK-LABEL: func.func @switch
// CHECK: cotan.switch %{{.*}} (%{{.*}}, %{{.*}}) : tensor<i32>, (tensor<3xf32>, tensor<f32>) -> tensor<3xf32> {
// CHECK: ^bb0(%{{.*}}: tensor<3xf32>, %{{.*}}: tensor<f32>):
// CHECK: cotan.neg
// CHECK: cotan.yield %{{.*}} : tensor<3xf32>
// CHECK: }, {
// CHECK: cotan.yield %{{.*}} : tensor<3xf32>
func.func @switch(%i: tensor<i32>, %x: tensor<3xf32>, %s: tensor<f32>) -> tensor<3xf32> {
  %0 = cotan.switch %i (%x, %s) : tensor<i32>, (tensor<3xf32>, tensor<f32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<3xf32>, %b: tensor<f32>):
    %n = cotan.neg %a : tensor<3xf32>
    cotan.yield %n : tensor<3xf32>
  }, {
  ^bb0(%a: tensor<3xf32>, %b: tensor<f32>):
    cotan.yield %a : tensor<3xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @while
// CHECK: cotan.while (%{{.*}}, %{{.*}}) consts (%{{.*}}) : (tensor<f32>, tensor<i32>, tensor<f32>) -> (tensor<f32>, tensor<i32>)
// CHECK: cond {
// CHECK: cotan.compare lt
// CHECK: cotan.yield %{{.*}} : tensor<i1>
// CHECK: } do {
// CHECK: cotan.yield %{{.*}}, %{{.*}} : tensor<f32>, tensor<i32>
func.func @while(%x: tensor<f32>, %n: tensor<i32>, %limit: tensor<f32>) -> (tensor<f32>, tensor<i32>) {
  %r:2 = cotan.while (%x, %n) consts (%limit) : (tensor<f32>, tensor<i32>, tensor<f32>) -> (tensor<f32>, tensor<i32>)
  cond {
  ^bb0(%a: tensor<f32>, %k: tensor<i32>, %l: tensor<f32>):
    %p = cotan.compare lt, %a, %l : tensor<f32> -> tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>, %k: tensor<i32>, %l: tensor<f32>):
    %two = cotan.add %a, %a : tensor<f32>
    %one = cotan.constant dense<1> : tensor<i32>
    %k1 = cotan.add %k, %one : tensor<i32>
    cotan.yield %two, %k1 : tensor<f32>, tensor<i32>
  }
  return %r#0, %r#1 : tensor<f32>, tensor<i32>
}

// -----

// CHECK-LABEL: func.func @scan
// CHECK: cotan.scan length = 4 reverse (%{{.*}}) xs (%{{.*}}) consts (%{{.*}}) : (tensor<f32>, tensor<4x2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<4x2xf32>)
// CHECK: ^bb0(%{{.*}}: tensor<f32>, %{{.*}}: tensor<2xf32>, %{{.*}}: tensor<2xf32>):
// CHECK: cotan.yield %{{.*}}, %{{.*}} : tensor<f32>, tensor<2xf32>
func.func @scan(%c: tensor<f32>, %xs: tensor<4x2xf32>, %w: tensor<2xf32>) -> (tensor<f32>, tensor<4x2xf32>) {
  %r:2 = cotan.scan length = 4 reverse (%c) xs (%xs) consts (%w) : (tensor<f32>, tensor<4x2xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<4x2xf32>) {
  ^bb0(%carry: tensor<f32>, %x: tensor<2xf32>, %v: tensor<2xf32>):
    %y = cotan.mul %x, %v : tensor<2xf32>
    %s = cotan.reduce_sum %y dims = [0] : tensor<2xf32> -> tensor<f32>
    %next = cotan.add %carry, %s : tensor<f32>
    cotan.yield %next, %y : tensor<f32>, tensor<2xf32>
  }
  return %r#0, %r#1 : tensor<f32>, tensor<4x2xf32>
}

// -----

// A fori_loop with a static trip count: a scan with nothing scanned.
// CHECK-LABEL: func.func @scan_without_xs
// CHECK: cotan.scan length = 1000 (%{{.*}}) xs () consts () : (tensor<f32>) -> tensor<f32>
func.func @scan_without_xs(%c: tensor<f32>) -> tensor<f32> {
  %r = cotan.scan length = 1000 (%c) xs () consts () : (tensor<f32>) -> tensor<f32> {
  ^bb0(%carry: tensor<f32>):
    %next = cotan.add %carry, %carry : tensor<f32>
    cotan.yield %next : tensor<f32>
  }
  return %r : tensor<f32>
}

// RUN: cotan-opt %s --split-input-file --cotan-expand-autodiff --verify-diagnostics

func.func private @not_cotan(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{'arith.addf' op cannot be differentiated: it has no derivative rules (only cotan ops can be differentiated)}}
  %0 = arith.addf %x, %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @f(%x: tensor<3xf32>, %ct: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{failed to differentiate 'not_cotan'}}
  %r:2 = cotan.vjp @not_cotan(%x) cotangents(%ct) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

func.func private @self(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{transforms a function that (transitively) transforms itself}}
  %r:2 = cotan.jvp @self(%x) tangents(%x) : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#1 : tensor<f32>
}

// -----

// expected-error@+1 {{'func.func' op can only be differentiated with a single block}}
func.func private @two_blocks(%x: tensor<3xf32>) -> tensor<3xf32> {
  cf.br ^next
^next:
  return %x : tensor<3xf32>
}
func.func @g(%x: tensor<3xf32>, %ct: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{failed to differentiate 'two_blocks'}}
  %r:2 = cotan.vjp @two_blocks(%x) cotangents(%ct) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

func.func private @loop(%x: tensor<f32>) -> tensor<f32> {
  // expected-error@+1 {{'cotan.while' op cannot be differentiated in reverse mode: its trip count is unbounded}}
  %r = cotan.while (%x) consts () : (tensor<f32>) -> tensor<f32>
  cond {
  ^bb0(%a: tensor<f32>):
    %p = cotan.constant dense<false> : tensor<i1>
    cotan.yield %p : tensor<i1>
  } do {
  ^bb0(%a: tensor<f32>):
    cotan.yield %a : tensor<f32>
  }
  return %r : tensor<f32>
}

func.func @grad_loop(%x: tensor<f32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // expected-error@+1 {{failed to differentiate 'loop'}}
  %r:2 = cotan.vjp @loop(%x) cotangents(%ct) : (tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#0, %r#1 : tensor<f32>, tensor<f32>
}

// -----

func.func private @nested(%i: tensor<i32>, %x: tensor<f32>) -> tensor<f32> {
  %r = cotan.switch %i (%x) : tensor<i32>, (tensor<f32>) -> tensor<f32> {
  ^bb0(%a: tensor<f32>):
    // expected-error@+1 {{'arith.addf' op cannot be differentiated: it has no derivative rules}}
    %b = "arith.addf"(%a, %a) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    cotan.yield %b : tensor<f32>
  }
  return %r : tensor<f32>
}

func.func @jvp_nested(%i: tensor<i32>, %x: tensor<f32>, %t: tensor<f32>) -> (tensor<f32>, tensor<f32>) {
  // expected-error@+1 {{failed to differentiate 'nested'}}
  %r:2 = cotan.jvp @nested(%i, %x) tangents(%i, %t) : (tensor<i32>, tensor<f32>, tensor<i32>, tensor<f32>) -> (tensor<f32>, tensor<f32>)
  return %r#0, %r#1 : tensor<f32>, tensor<f32>
}

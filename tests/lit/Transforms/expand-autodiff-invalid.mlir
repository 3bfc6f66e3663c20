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

// RUN: cotan-opt %s --split-input-file --cotan-expand-autodiff | FileCheck %s

// An elementwise chain with fan-out: %x feeds both the product and the
// final add, so its cotangent is the sum of two contributions. The adjoint
// re-runs the forward sweep, whose values are the residuals it reads.
// CHECK-LABEL: func.func @grad_chain
// CHECK: %[[R:.*]]:3 = call @chain_vjp(%arg0, %arg1, %{{.*}})
// CHECK-LABEL: func.func private @chain_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[W:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<f32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: %[[M:.*]] = cotan.mul %[[X]], %[[W]]
// CHECK: %[[T:.*]] = cotan.tanh %[[M]]
// CHECK: %[[A:.*]] = cotan.add %[[T]], %[[X]]
// CHECK: %[[S:.*]] = cotan.reduce_sum %[[A]] dims = [0]
// CHECK: %[[CTA:.*]] = cotan.broadcast_in_dim %[[CT]] dims = [] : tensor<f32> -> tensor<3xf32>
// CHECK: %[[TT:.*]] = cotan.mul %[[T]], %[[T]]
// CHECK: %[[D:.*]] = cotan.sub %{{.*}}, %[[TT]]
// CHECK: %[[CTM:.*]] = cotan.mul %[[D]], %[[CTA]]
// CHECK: %[[GX1:.*]] = cotan.mul %[[CTM]], %[[W]]
// CHECK: %[[GW:.*]] = cotan.mul %[[CTM]], %[[X]]
// CHECK: %[[GX:.*]] = cotan.add %[[CTA]], %[[GX1]]
// CHECK: return %[[S]], %[[GX]], %[[GW]]
func.func private @chain(%x: tensor<3xf32>, %w: tensor<3xf32>) -> tensor<f32> {
  %0 = cotan.mul %x, %w : tensor<3xf32>
  %1 = cotan.tanh %0 : tensor<3xf32>
  %2 = cotan.add %1, %x : tensor<3xf32>
  %3 = cotan.reduce_sum %2 dims = [0] : tensor<3xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
func.func @grad_chain(%x: tensor<3xf32>, %w: tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>) {
  %one = cotan.constant dense<1.0> : tensor<f32>
  %r:3 = cotan.vjp @chain(%x, %w) cotangents(%one) : (tensor<3xf32>, tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>, tensor<3xf32>)
  return %r#0, %r#1, %r#2 : tensor<f32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// dA = ct . B^T and dB = A^T . ct, as dot_generals laid out like A and B:
// no transpose.
// CHECK-LABEL: func.func private @matmul_vjp
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[CT:.*]]: tensor<2x4xf32>)
// CHECK: %[[Y:.*]] = cotan.dot_general %[[A]], %[[B]]
// CHECK: %[[DA:.*]] = cotan.dot_general %[[CT]], %[[B]] {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK: %[[DB:.*]] = cotan.dot_general %[[A]], %[[CT]] {lhs_contracting_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK-NOT: cotan.transpose
// CHECK: return %[[Y]], %[[DA]], %[[DB]]
func.func private @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
func.func @grad_matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %ct: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>) {
  %r:3 = cotan.vjp @matmul(%a, %b) cotangents(%ct) : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>)
  return %r#0, %r#1, %r#2 : tensor<2x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>
}

// -----

// Broadcasting is undone by summing: the bias gradient reduces over the
// broadcast dimension. The integer input gets a zero gradient.
// CHECK-LABEL: func.func private @bias_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[N:.*]]: tensor<i32>, %[[CT:.*]]: tensor<f32>)
// CHECK: %[[CTS:.*]] = cotan.broadcast_in_dim %[[CT]] dims = [] : tensor<f32> -> tensor<4x3xf32>
// CHECK: %[[GB:.*]] = cotan.reduce_sum %[[CTS]] dims = [0] : tensor<4x3xf32> -> tensor<3xf32>
// CHECK: %[[GN:.*]] = cotan.constant dense<0> : tensor<i32>
// CHECK: return %{{.*}}, %[[CTS]], %[[GB]], %[[GN]]
func.func private @bias(%x: tensor<4x3xf32>, %b: tensor<3xf32>, %n: tensor<i32>) -> tensor<f32> {
  %0 = cotan.broadcast_in_dim %b dims = [1] : tensor<3xf32> -> tensor<4x3xf32>
  %1 = cotan.add %x, %0 : tensor<4x3xf32>
  %2 = cotan.reduce_sum %1 dims = [0, 1] : tensor<4x3xf32> -> tensor<f32>
  return %2 : tensor<f32>
}
func.func @grad_bias(%x: tensor<4x3xf32>, %b: tensor<3xf32>, %n: tensor<i32>, %ct: tensor<f32>) -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>, tensor<i32>) {
  %r:4 = cotan.vjp @bias(%x, %b, %n) cotangents(%ct) : (tensor<4x3xf32>, tensor<3xf32>, tensor<i32>, tensor<f32>) -> (tensor<f32>, tensor<4x3xf32>, tensor<3xf32>, tensor<i32>)
  return %r#0, %r#1, %r#2, %r#3 : tensor<f32>, tensor<4x3xf32>, tensor<3xf32>, tensor<i32>
}

// -----

// Forward mode interleaves each op with its JVP.
// CHECK-LABEL: func.func private @square_sin_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf64>, %[[TX:.*]]: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>)
// CHECK: %[[S:.*]] = cotan.sin %[[X]]
// CHECK: %[[C:.*]] = cotan.cos %[[X]]
// CHECK: %[[TS:.*]] = cotan.mul %[[C]], %[[TX]]
// CHECK: %[[Y:.*]] = cotan.mul %[[S]], %[[S]]
// CHECK: cotan.mul %[[TS]], %[[S]]
// CHECK: cotan.mul %[[TS]], %[[S]]
// CHECK: %[[TY:.*]] = cotan.add
// CHECK: return %[[Y]], %[[TY]]
func.func private @square_sin(%x: tensor<3xf64>) -> tensor<3xf64> {
  %0 = cotan.sin %x : tensor<3xf64>
  %1 = cotan.mul %0, %0 : tensor<3xf64>
  return %1 : tensor<3xf64>
}
func.func @tangent(%x: tensor<3xf64>, %t: tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>) {
  %r:2 = cotan.jvp @square_sin(%x) tangents(%t) : (tensor<3xf64>, tensor<3xf64>) -> (tensor<3xf64>, tensor<3xf64>)
  return %r#0, %r#1 : tensor<3xf64>, tensor<3xf64>
}

// -----

// Nested requests expand innermost first: @dsin holds a request, so @dsin's
// own request waits until the inner one became a call, which is inlined
// before @dsin is differentiated (second derivative of sin: -sin).
// CHECK-LABEL: func.func private @dsin
// CHECK: call @sin_vjp
// CHECK-LABEL: func.func @second
// CHECK: call @dsin_vjp
// CHECK-LABEL: func.func private @sin_vjp
// CHECK-LABEL: func.func private @dsin_vjp
// CHECK-NOT: call
// CHECK: cotan.cos
// CHECK: %[[N:.*]] = cotan.neg
// CHECK: cotan.mul %[[N]]
// CHECK: return
func.func private @sin(%x: tensor<f64>) -> tensor<f64> {
  %0 = cotan.sin %x : tensor<f64>
  return %0 : tensor<f64>
}
func.func private @dsin(%x: tensor<f64>) -> tensor<f64> {
  %one = cotan.constant dense<1.0> : tensor<f64>
  %r:2 = cotan.vjp @sin(%x) cotangents(%one) : (tensor<f64>, tensor<f64>) -> (tensor<f64>, tensor<f64>)
  return %r#1 : tensor<f64>
}
func.func @second(%x: tensor<f64>) -> tensor<f64> {
  %one = cotan.constant dense<1.0> : tensor<f64>
  %r:2 = cotan.vjp @dsin(%x) cotangents(%one) : (tensor<f64>, tensor<f64>) -> (tensor<f64>, tensor<f64>)
  return %r#1 : tensor<f64>
}

// -----

// No cotangent flows through stop_gradient: only the direct use of %x
// contributes (d/dx of x * stop_gradient(x) is stop_gradient(x)).
// CHECK-LABEL: func.func private @stopped_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>)
// CHECK: %[[S:.*]] = cotan.stop_gradient %[[X]]
// CHECK: %[[Y:.*]] = cotan.mul %[[X]], %[[S]]
// CHECK: %[[G:.*]] = cotan.mul %[[CT]], %[[S]]
// CHECK: return %[[Y]], %[[G]]
func.func private @stopped(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.stop_gradient %x : tensor<3xf32>
  %1 = cotan.mul %x, %0 : tensor<3xf32>
  return %1 : tensor<3xf32>
}
func.func @grad_stopped(%x: tensor<3xf32>, %ct: tensor<3xf32>) -> tensor<3xf32> {
  %r:2 = cotan.vjp @stopped(%x) cotangents(%ct) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

// Reverse mode of cotan.custom_vjp calls the user's forward function for
// residuals and the backward function for cotangents; a custom call that
// is not differentiated becomes a plain call.
// CHECK-LABEL: func.func @use_custom
// CHECK: call @square
// CHECK-LABEL: func.func private @grad_custom_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>)
// CHECK: %[[Y:.*]] = call @square(%[[X]])
// CHECK: %[[F:.*]]:2 = call @square_fwd(%[[X]])
// CHECK: %[[G:.*]] = call @square_bwd(%[[F]]#1, %[[CT]])
// CHECK: return %[[Y]], %[[G]]
func.func private @square(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.mul %x, %x : tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func private @square_fwd(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = cotan.mul %x, %x : tensor<3xf32>
  return %0, %x : tensor<3xf32>, tensor<3xf32>
}
func.func private @square_bwd(%x: tensor<3xf32>, %g: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.add %x, %x : tensor<3xf32>
  %1 = cotan.mul %0, %g : tensor<3xf32>
  return %1 : tensor<3xf32>
}
func.func private @grad_custom(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = cotan.custom_vjp @square(%x) fwd @square_fwd bwd @square_bwd : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
func.func @use_custom(%x: tensor<3xf32>, %ct: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = cotan.custom_vjp @square(%x) fwd @square_fwd bwd @square_bwd : (tensor<3xf32>) -> tensor<3xf32>
  %r:2 = cotan.vjp @grad_custom(%x) cotangents(%ct) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %0, %r#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// Forward mode of cotan.custom_jvp calls the user's rule.
// CHECK-LABEL: func.func private @softplus_caller_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<2xf64>, %[[T:.*]]: tensor<2xf64>)
// CHECK: %[[Y:.*]] = call @softplus(%[[X]])
// CHECK: %[[R:.*]]:2 = call @softplus_rule(%[[X]], %[[T]])
// CHECK: return %[[Y]], %[[R]]#1
func.func private @softplus(%x: tensor<2xf64>) -> tensor<2xf64> {
  %0 = cotan.exp %x : tensor<2xf64>
  %1 = cotan.log1p %0 : tensor<2xf64>
  return %1 : tensor<2xf64>
}
func.func private @softplus_rule(%x: tensor<2xf64>, %t: tensor<2xf64>) -> (tensor<2xf64>, tensor<2xf64>) {
  %0 = cotan.exp %x : tensor<2xf64>
  %1 = cotan.log1p %0 : tensor<2xf64>
  %2 = cotan.logistic %x : tensor<2xf64>
  %3 = cotan.mul %t, %2 : tensor<2xf64>
  return %1, %3 : tensor<2xf64>, tensor<2xf64>
}
func.func private @softplus_caller(%x: tensor<2xf64>) -> tensor<2xf64> {
  %0 = cotan.custom_jvp @softplus(%x) rule @softplus_rule : (tensor<2xf64>) -> tensor<2xf64>
  return %0 : tensor<2xf64>
}
func.func @tangent_custom(%x: tensor<2xf64>, %t: tensor<2xf64>) -> tensor<2xf64> {
  %r:2 = cotan.jvp @softplus_caller(%x) tangents(%t) : (tensor<2xf64>, tensor<2xf64>) -> (tensor<2xf64>, tensor<2xf64>)
  return %r#1 : tensor<2xf64>
}

// -----

// value_and_grad: a call of the callee on the same primals, whose result is
// only used after the request, takes the request's primal result instead,
// so the callee's debug callback runs once.
// CHECK-LABEL: func.func @value_and_grad
// CHECK-NOT: call @loss(
// CHECK: %[[R:.*]]:2 = call @loss_vjp(%arg0, %{{.*}})
// CHECK-NOT: call @loss(
// CHECK: return %[[R]]#0, %[[R]]#1
func.func private @loss(%x: tensor<2xf32>) -> tensor<f32> {
  cotan.debug_callback 0 (%x : tensor<2xf32>)
  %s = cotan.reduce_sum %x dims = [0] : tensor<2xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @value_and_grad(%x: tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>) {
  %v = call @loss(%x) : (tensor<2xf32>) -> tensor<f32>
  %one = cotan.constant dense<1.0> : tensor<f32>
  %r:2 = cotan.vjp @loss(%x) cotangents(%one) : (tensor<2xf32>, tensor<f32>) -> (tensor<f32>, tensor<2xf32>)
  return %v, %r#1 : tensor<f32>, tensor<2xf32>
}

// -----

// When the cotangent is computed from the call's result, the call stays.
// CHECK-LABEL: func.func @seed_from_value
// CHECK: %[[V:.*]] = call @loss(%arg0)
// CHECK: call @loss_vjp(%arg0, %[[V]])
func.func private @loss(%x: tensor<2xf32>) -> tensor<f32> {
  cotan.debug_callback 0 (%x : tensor<2xf32>)
  %s = cotan.reduce_sum %x dims = [0] : tensor<2xf32> -> tensor<f32>
  return %s : tensor<f32>
}
func.func @seed_from_value(%x: tensor<2xf32>) -> tensor<2xf32> {
  %v = call @loss(%x) : (tensor<2xf32>) -> tensor<f32>
  %r:2 = cotan.vjp @loss(%x) cotangents(%v) : (tensor<2xf32>, tensor<f32>) -> (tensor<f32>, tensor<2xf32>)
  return %r#1 : tensor<2xf32>
}

// -----

// The adjoint keeps the callback in its forward sweep (it has no
// derivative: nothing flows back through it).
// CHECK-LABEL: func.func private @traced_vjp
// CHECK: cotan.debug_callback 5(%arg0 : tensor<3xf32>)
// CHECK: cotan.exp
func.func private @traced(%x: tensor<3xf32>) -> tensor<3xf32> {
  cotan.debug_callback 5 (%x : tensor<3xf32>)
  %e = cotan.exp %x : tensor<3xf32>
  return %e : tensor<3xf32>
}
func.func @use_traced(%x: tensor<3xf32>, %ct: tensor<3xf32>) -> tensor<3xf32> {
  %r:2 = cotan.vjp @traced(%x) cotangents(%ct) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

// d/dx erf(x) = 2/sqrt(pi) e^(-x^2); erfc's is its negation.
// CHECK-LABEL: func.func private @error_functions_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<4xf64>, %[[CT:.*]]: tensor<4xf64>)
// CHECK: %[[SQ:.*]] = cotan.mul %[[X]], %[[X]]
// CHECK: %[[NEG:.*]] = cotan.neg %[[SQ]]
// CHECK: %[[G:.*]] = cotan.exp %[[NEG]]
// CHECK: %[[C:.*]] = cotan.constant dense<-1.1283791670955126> : tensor<4xf64>
// CHECK: %[[D:.*]] = cotan.mul %[[C]], %[[G]]
// CHECK: cotan.mul %[[D]], %[[CT]]
// CHECK: cotan.constant dense<1.1283791670955126> : tensor<4xf64>
func.func private @error_functions(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.erf %x : tensor<4xf64>
  %1 = cotan.erfc %x : tensor<4xf64>
  %2 = cotan.add %0, %1 : tensor<4xf64>
  return %2 : tensor<4xf64>
}
func.func @grad_error_functions(%x: tensor<4xf64>, %ct: tensor<4xf64>) -> tensor<4xf64> {
  %r:2 = cotan.vjp @error_functions(%x) cotangents(%ct) : (tensor<4xf64>, tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>)
  return %r#1 : tensor<4xf64>
}

// -----

// A sort's tangent is the tangent sorted along with the keys; its
// cotangent goes back through the inverse permutation: sort the positions
// with the keys, then sort the cotangent by where each element came from.
// CHECK-LABEL: func.func private @sorted_vjp
// CHECK-SAME: (%[[X:.*]]: tensor<2x5xf32>, %[[CT:.*]]: tensor<2x5xf32>)
// CHECK: %[[POS:.*]] = cotan.iota dim = 1 : tensor<2x5xi32>
// CHECK: %[[S:.*]]:2 = cotan.sort %[[X]], %[[POS]] dim = 1 keys = 1 descending : tensor<2x5xf32>, tensor<2x5xi32>
// CHECK: %[[BACK:.*]]:2 = cotan.sort %[[S]]#1, %[[CT]] dim = 1 keys = 1 : tensor<2x5xi32>, tensor<2x5xf32>
// CHECK: return %{{.*}}, %[[BACK]]#1
// CHECK-LABEL: func.func private @sorted_jvp
// CHECK-SAME: (%[[X:.*]]: tensor<2x5xf32>, %[[T:.*]]: tensor<2x5xf32>)
// CHECK: cotan.sort %[[X]], %[[T]] dim = 1 keys = 1 descending : tensor<2x5xf32>, tensor<2x5xf32>
func.func private @sorted(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = cotan.sort %x dim = 1 keys = 1 descending : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}
func.func @sort_derivatives(%x: tensor<2x5xf32>, %t: tensor<2x5xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>) {
  %r:2 = cotan.vjp @sorted(%x) cotangents(%t) : (tensor<2x5xf32>, tensor<2x5xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>)
  %j:2 = cotan.jvp @sorted(%x) tangents(%t) : (tensor<2x5xf32>, tensor<2x5xf32>) -> (tensor<2x5xf32>, tensor<2x5xf32>)
  return %r#1, %j#1 : tensor<2x5xf32>, tensor<2x5xf32>
}

// RUN: cotan-opt %s --split-input-file | cotan-opt --split-input-file | FileCheck %s
// Round trip of every cotan op through the printer and parser.

// CHECK-LABEL: func.func @constant_and_iota
// CHECK: cotan.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: cotan.iota dim = 1 : tensor<2x3xi32>
func.func @constant_and_iota() -> (tensor<2xf32>, tensor<2x3xi32>) {
  %0 = cotan.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = cotan.iota dim = 1 : tensor<2x3xi32>
  return %0, %1 : tensor<2xf32>, tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func.func @unary_float
// CHECK: cotan.neg
// CHECK: cotan.abs
// CHECK: cotan.exp
// CHECK: cotan.log
// CHECK: cotan.log1p
// CHECK: cotan.expm1
// CHECK: cotan.tanh
// CHECK: cotan.logistic
// CHECK: cotan.sqrt
// CHECK: cotan.rsqrt
// CHECK: cotan.sin
// CHECK: cotan.cos
// CHECK: cotan.floor
// CHECK: cotan.sign {{.*}} : tensor<2x3xf32>
// CHECK: cotan.erf
// CHECK: cotan.erfc
func.func @unary_float(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.neg %x : tensor<2x3xf32>
  %1 = cotan.abs %0 : tensor<2x3xf32>
  %2 = cotan.exp %1 : tensor<2x3xf32>
  %3 = cotan.log %2 : tensor<2x3xf32>
  %4 = cotan.log1p %3 : tensor<2x3xf32>
  %5 = cotan.expm1 %4 : tensor<2x3xf32>
  %6 = cotan.tanh %5 : tensor<2x3xf32>
  %7 = cotan.logistic %6 : tensor<2x3xf32>
  %8 = cotan.sqrt %7 : tensor<2x3xf32>
  %9 = cotan.rsqrt %8 : tensor<2x3xf32>
  %10 = cotan.sin %9 : tensor<2x3xf32>
  %11 = cotan.cos %10 : tensor<2x3xf32>
  %12 = cotan.floor %11 : tensor<2x3xf32>
  %13 = cotan.sign %12 : tensor<2x3xf32>
  %14 = cotan.erf %13 : tensor<2x3xf32>
  %15 = cotan.erfc %14 : tensor<2x3xf32>
  return %15 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @unary_int_and_bool
// CHECK: cotan.stop_gradient %{{.*}} : tensor<4xi64>
// CHECK: cotan.neg %{{.*}} : tensor<4xi64>
// CHECK: cotan.abs %{{.*}} : tensor<4xi64>
// CHECK: cotan.sign %{{.*}} : tensor<4xi64>
// CHECK: cotan.not %{{.*}} : tensor<4xi64>
// CHECK: cotan.not %{{.*}} : tensor<4xi1>
func.func @unary_int_and_bool(%x: tensor<4xi64>, %b: tensor<4xi1>) -> (tensor<4xi64>, tensor<4xi1>) {
  %s = cotan.stop_gradient %x : tensor<4xi64>
  %0 = cotan.neg %s : tensor<4xi64>
  %1 = cotan.abs %0 : tensor<4xi64>
  %2 = cotan.sign %1 : tensor<4xi64>
  %3 = cotan.not %2 : tensor<4xi64>
  %4 = cotan.not %b : tensor<4xi1>
  return %3, %4 : tensor<4xi64>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @binary
// CHECK: cotan.add
// CHECK: cotan.sub
// CHECK: cotan.mul
// CHECK: cotan.div
// CHECK: cotan.rem
// CHECK: cotan.pow
// CHECK: cotan.max
// CHECK: cotan.min
// CHECK: cotan.atan2 {{.*}} : tensor<3xf64>
func.func @binary(%x: tensor<3xf64>, %y: tensor<3xf64>) -> tensor<3xf64> {
  %0 = cotan.add %x, %y : tensor<3xf64>
  %1 = cotan.sub %0, %y : tensor<3xf64>
  %2 = cotan.mul %1, %y : tensor<3xf64>
  %3 = cotan.div %2, %y : tensor<3xf64>
  %4 = cotan.rem %3, %y : tensor<3xf64>
  %5 = cotan.pow %4, %y : tensor<3xf64>
  %6 = cotan.max %5, %y : tensor<3xf64>
  %7 = cotan.min %6, %y : tensor<3xf64>
  %8 = cotan.atan2 %7, %y : tensor<3xf64>
  return %8 : tensor<3xf64>
}

// -----

// CHECK-LABEL: func.func @binary_int
// CHECK: cotan.div %{{.*}} : tensor<3xi32>
// CHECK: cotan.rem %{{.*}} : tensor<3xi32>
// CHECK: cotan.pow %{{.*}} : tensor<3xi32>
// CHECK: cotan.and %{{.*}} : tensor<3xi32>
// CHECK: cotan.or %{{.*}} : tensor<3xi32>
func.func @binary_int(%x: tensor<3xi32>, %y: tensor<3xi32>) -> tensor<3xi32> {
  %0 = cotan.div %x, %y : tensor<3xi32>
  %1 = cotan.rem %0, %y : tensor<3xi32>
  %2 = cotan.pow %1, %y : tensor<3xi32>
  %3 = cotan.and %2, %y : tensor<3xi32>
  %4 = cotan.or %3, %y : tensor<3xi32>
  return %4 : tensor<3xi32>
}

// -----

// CHECK-LABEL: func.func @logic
// CHECK: cotan.and %{{.*}} : tensor<2xi1>
// CHECK: cotan.or %{{.*}} : tensor<2xi1>
func.func @logic(%a: tensor<2xi1>, %b: tensor<2xi1>) -> tensor<2xi1> {
  %0 = cotan.and %a, %b : tensor<2xi1>
  %1 = cotan.or %0, %b : tensor<2xi1>
  return %1 : tensor<2xi1>
}

// -----

// CHECK-LABEL: func.func @compare_select_convert
// CHECK: cotan.compare eq, %{{.*}} : tensor<2x2xf16> -> tensor<2x2xi1>
// CHECK: cotan.compare ne
// CHECK: cotan.compare lt
// CHECK: cotan.compare le
// CHECK: cotan.compare gt
// CHECK: cotan.compare ge, %{{.*}} : tensor<2x2xi32> -> tensor<2x2xi1>
// CHECK: cotan.select %{{.*}} : tensor<2x2xi1>, tensor<2x2xf16>
// CHECK: cotan.convert %{{.*}} : tensor<2x2xf16> -> tensor<2x2xbf16>
func.func @compare_select_convert(%x: tensor<2x2xf16>, %y: tensor<2x2xf16>, %i: tensor<2x2xi32>) -> (tensor<2x2xbf16>, tensor<2x2xi1>) {
  %0 = cotan.compare eq, %x, %y : tensor<2x2xf16> -> tensor<2x2xi1>
  %1 = cotan.compare ne, %x, %y : tensor<2x2xf16> -> tensor<2x2xi1>
  %2 = cotan.compare lt, %x, %y : tensor<2x2xf16> -> tensor<2x2xi1>
  %3 = cotan.compare le, %x, %y : tensor<2x2xf16> -> tensor<2x2xi1>
  %4 = cotan.compare gt, %x, %y : tensor<2x2xf16> -> tensor<2x2xi1>
  %5 = cotan.compare ge, %i, %i : tensor<2x2xi32> -> tensor<2x2xi1>
  %6 = cotan.select %0, %x, %y : tensor<2x2xi1>, tensor<2x2xf16>
  %7 = cotan.convert %6 : tensor<2x2xf16> -> tensor<2x2xbf16>
  return %7, %5 : tensor<2x2xbf16>, tensor<2x2xi1>
}

// -----

// CHECK-LABEL: func.func @shape_ops
// CHECK: cotan.broadcast_in_dim %{{.*}} dims = [1] : tensor<3xf32> -> tensor<2x3xf32>
// CHECK: cotan.reshape %{{.*}} : tensor<2x3xf32> -> tensor<3x2xf32>
// CHECK: cotan.transpose %{{.*}} perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
// CHECK: cotan.slice %{{.*}} start = [0, 1] limit = [2, 3] strides = [1, 2] : tensor<2x3xf32> -> tensor<2x1xf32>
// CHECK: cotan.concatenate %{{.*}}, %{{.*}} dim = 1 : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
// CHECK: cotan.pad %{{.*}}, %{{.*}} low = [0, 1] high = [1, 0] interior = [0, 1] : (tensor<2x4xf32>, tensor<f32>) -> tensor<3x8xf32>
// CHECK: cotan.reverse %{{.*}} dims = [0, 1] : tensor<3x8xf32>
func.func @shape_ops(%x: tensor<3xf32>, %p: tensor<f32>) -> tensor<3x8xf32> {
  %0 = cotan.broadcast_in_dim %x dims = [1] : tensor<3xf32> -> tensor<2x3xf32>
  %1 = cotan.reshape %0 : tensor<2x3xf32> -> tensor<3x2xf32>
  %2 = cotan.transpose %1 perm = [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
  %3 = cotan.slice %2 start = [0, 1] limit = [2, 3] strides = [1, 2] : tensor<2x3xf32> -> tensor<2x1xf32>
  %4 = cotan.concatenate %2, %3 dim = 1 : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %5 = cotan.pad %4, %p low = [0, 1] high = [1, 0] interior = [0, 1] : (tensor<2x4xf32>, tensor<f32>) -> tensor<3x8xf32>
  %6 = cotan.reverse %5 dims = [0, 1] : tensor<3x8xf32>
  return %6 : tensor<3x8xf32>
}

// -----

// CHECK-LABEL: func.func @indexing_ops
// CHECK: cotan.take %{{.*}}[%{{.*}}] axis = 0 : (tensor<10x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>
// CHECK: cotan.dynamic_slice %{{.*}}[%{{.*}}, %{{.*}}] sizes = [2, 2] : (tensor<10x4xf32>, tensor<i64>, tensor<i32>) -> tensor<2x2xf32>
// CHECK: cotan.dynamic_update_slice %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} : (tensor<10x4xf32>, tensor<2x2xf32>, tensor<i64>, tensor<i32>) -> tensor<10x4xf32>
func.func @indexing_ops(%t: tensor<10x4xf32>, %ids: tensor<2x3xi32>, %i: tensor<i64>, %j: tensor<i32>) -> (tensor<2x3x4xf32>, tensor<10x4xf32>) {
  %0 = cotan.take %t[%ids] axis = 0 : (tensor<10x4xf32>, tensor<2x3xi32>) -> tensor<2x3x4xf32>
  %1 = cotan.dynamic_slice %t[%i, %j] sizes = [2, 2] : (tensor<10x4xf32>, tensor<i64>, tensor<i32>) -> tensor<2x2xf32>
  %2 = cotan.dynamic_update_slice %t[%i, %j], %1 : (tensor<10x4xf32>, tensor<2x2xf32>, tensor<i64>, tensor<i32>) -> tensor<10x4xf32>
  return %0, %2 : tensor<2x3x4xf32>, tensor<10x4xf32>
}

// -----

// CHECK-LABEL: func.func @reductions
// CHECK: cotan.reduce_sum %{{.*}} dims = [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK: cotan.reduce_prod %{{.*}} dims = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
// CHECK: cotan.reduce_max %{{.*}} dims = [0] : tensor<2x3x4xf32> -> tensor<3x4xf32>
// CHECK: cotan.reduce_min %{{.*}} dims = [] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
// CHECK: cotan.argmax %{{.*}} dim = 2 : tensor<2x3x4xf32> -> tensor<2x3xi32>
// CHECK: cotan.argmin %{{.*}} dim = 0 : tensor<2x3x4xf32> -> tensor<3x4xi64>
// CHECK: cotan.reduce_max %{{.*}} dims = [0] : tensor<5xi1> -> tensor<i1>
func.func @reductions(%x: tensor<2x3x4xf32>, %b: tensor<5xi1>) -> (tensor<3xf32>, tensor<2x4xf32>, tensor<3x4xf32>, tensor<2x3x4xf32>, tensor<2x3xi32>, tensor<3x4xi64>, tensor<i1>) {
  %0 = cotan.reduce_sum %x dims = [0, 2] : tensor<2x3x4xf32> -> tensor<3xf32>
  %1 = cotan.reduce_prod %x dims = [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %2 = cotan.reduce_max %x dims = [0] : tensor<2x3x4xf32> -> tensor<3x4xf32>
  %3 = cotan.reduce_min %x dims = [] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %4 = cotan.argmax %x dim = 2 : tensor<2x3x4xf32> -> tensor<2x3xi32>
  %5 = cotan.argmin %x dim = 0 : tensor<2x3x4xf32> -> tensor<3x4xi64>
  %6 = cotan.reduce_max %b dims = [0] : tensor<5xi1> -> tensor<i1>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<3xf32>, tensor<2x4xf32>, tensor<3x4xf32>, tensor<2x3x4xf32>, tensor<2x3xi32>, tensor<3x4xi64>, tensor<i1>
}

// -----

// CHECK-LABEL: func.func @dot_general
// CHECK: cotan.dot_general %{{.*}}, %{{.*}} {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: cotan.dot_general %{{.*}}, %{{.*}} {lhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_batching_dimensions = array<i64: 0>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xi32>, tensor<5x3x4xi32>) -> tensor<5x2x4xi32>
func.func @dot_general(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5x2x3xi32>, %d: tensor<5x3x4xi32>) -> (tensor<2x4xf32>, tensor<5x2x4xi32>) {
  %0 = cotan.dot_general %a, %b {lhs_contracting_dimensions = array<i64: 1>, rhs_contracting_dimensions = array<i64: 0>} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = cotan.dot_general %c, %d {lhs_batching_dimensions = array<i64: 0>, rhs_batching_dimensions = array<i64: 0>, lhs_contracting_dimensions = array<i64: 2>, rhs_contracting_dimensions = array<i64: 1>} : (tensor<5x2x3xi32>, tensor<5x3x4xi32>) -> tensor<5x2x4xi32>
  return %0, %1 : tensor<2x4xf32>, tensor<5x2x4xi32>
}

// -----

// CHECK-LABEL: func.func @sort
// CHECK: cotan.sort %{{.*}} dim = 0 keys = 1 : tensor<5xf32>
// CHECK: cotan.sort %{{.*}}, %{{.*}}, %{{.*}} dim = 1 keys = 2 descending : tensor<2x5xi32>, tensor<2x5xf64>, tensor<2x5xi1>
func.func @sort(%x: tensor<5xf32>, %k: tensor<2x5xi32>, %v: tensor<2x5xf64>, %b: tensor<2x5xi1>) -> (tensor<5xf32>, tensor<2x5xi1>) {
  %0 = cotan.sort %x dim = 0 keys = 1 : tensor<5xf32>
  %1:3 = cotan.sort %k, %v, %b dim = 1 keys = 2 descending : tensor<2x5xi32>, tensor<2x5xf64>, tensor<2x5xi1>
  return %0, %1#2 : tensor<5xf32>, tensor<2x5xi1>
}

// -----

// CHECK-LABEL: func.func @requests
// CHECK: cotan.vjp @callee(%{{.*}}) cotangents(%{{.*}}) : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
// CHECK: cotan.jvp @callee(%{{.*}}) tangents(%{{.*}}) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<f32>)
func.func private @callee(%x: tensor<3xf32>) -> tensor<f32> {
  %0 = cotan.reduce_sum %x dims = [0] : tensor<3xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @requests(%x: tensor<3xf32>, %ct: tensor<f32>) -> (tensor<3xf32>, tensor<f32>) {
  %0:2 = cotan.vjp @callee(%x) cotangents(%ct) : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
  %1:2 = cotan.jvp @callee(%x) tangents(%x) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<f32>)
  return %0#1, %1#1 : tensor<3xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @custom_calls
// CHECK: cotan.custom_vjp @id(%{{.*}}) fwd @id_fwd bwd @id_bwd : (tensor<2xf32>) -> tensor<2xf32>
// CHECK: cotan.custom_jvp @id(%{{.*}}) rule @id_rule : (tensor<2xf32>) -> tensor<2xf32>
func.func private @id(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
func.func private @id_fwd(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
func.func private @id_bwd(%g: tensor<2xf32>) -> tensor<2xf32> {
  return %g : tensor<2xf32>
}
func.func private @id_rule(%x: tensor<2xf32>, %t: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  return %x, %t : tensor<2xf32>, tensor<2xf32>
}
func.func @custom_calls(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = cotan.custom_vjp @id(%x) fwd @id_fwd bwd @id_bwd : (tensor<2xf32>) -> tensor<2xf32>
  %1 = cotan.custom_jvp @id(%0) rule @id_rule : (tensor<2xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @vmap_request
// CHECK: cotan.vmap @per_row(%{{.*}}, %{{.*}}) batched = [true, false] : (tensor<5x3xf32>, tensor<3xf32>) -> tensor<5xf32>
func.func private @per_row(%x: tensor<3xf32>, %w: tensor<3xf32>) -> tensor<f32> {
  %0 = cotan.mul %x, %w : tensor<3xf32>
  %1 = cotan.reduce_sum %0 dims = [0] : tensor<3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
func.func @vmap_request(%xs: tensor<5x3xf32>, %w: tensor<3xf32>) -> tensor<5xf32> {
  %r = cotan.vmap @per_row(%xs, %w) batched = [true, false] : (tensor<5x3xf32>, tensor<3xf32>) -> tensor<5xf32>
  return %r : tensor<5xf32>
}

// -----

// CHECK-LABEL: func.func @debug_callback
// CHECK: cotan.debug_callback 3(%arg0, %arg1 : tensor<2xf32>, tensor<i1>)
// CHECK: cotan.debug_callback 4
func.func @debug_callback(%x: tensor<2xf32>, %b: tensor<i1>) {
  cotan.debug_callback 3 (%x, %b : tensor<2xf32>, tensor<i1>)
  cotan.debug_callback 4
  return
}

// -----

// CHECK-LABEL: func.func @ffi_call
// CHECK: cotan.ffi_call "kernel"(%arg0) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<i32>)
func.func @ffi_call(%x: tensor<3xf32>) -> tensor<3xf32> {
  %r:2 = cotan.ffi_call "kernel"(%x) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<i32>)
  return %r#0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @bits_and_threefry
// CHECK: cotan.xor %arg0, %arg1 : tensor<4xi32>
// CHECK: cotan.shift_left %arg0, %arg1 : tensor<4xi32>
// CHECK: cotan.shift_right_logical %arg0, %arg1 : tensor<4xi32>
// CHECK: cotan.bitcast_convert %arg0 : tensor<4xi32> -> tensor<4xf32>
// CHECK: %y0, %y1 = cotan.threefry2x32 %arg0, %arg1, %arg0, %arg1 : tensor<4xi32>
func.func @bits_and_threefry(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xf32> {
  %0 = cotan.xor %a, %b : tensor<4xi32>
  %1 = cotan.shift_left %a, %b : tensor<4xi32>
  %2 = cotan.shift_right_logical %a, %b : tensor<4xi32>
  %3 = cotan.bitcast_convert %a : tensor<4xi32> -> tensor<4xf32>
  %4:2 = cotan.threefry2x32 %a, %b, %a, %b : tensor<4xi32>
  return %3 : tensor<4xf32>
}

// RUN: cotan-opt %s --split-input-file --cotan-approximate-math | FileCheck %s

// f32 transcendental functions become arithmetic (no libm call per element).
// CHECK-LABEL: func.func @f32_functions
// CHECK-NOT: math.tanh
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK: arith.mulf
// CHECK: return
func.func @f32_functions(%x: f32) -> (f32, f32, f32) {
  %0 = math.tanh %x : f32
  %1 = math.exp %x : f32
  %2 = math.log1p %x : f32
  return %0, %1, %2 : f32, f32, f32
}

// -----

// f64 keeps the library functions.
// The error functions too.
// CHECK-LABEL: func.func @f32_error_functions
// CHECK-NOT: math.erf
// CHECK: return
func.func @f32_error_functions(%x: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>) {
  %0 = math.erf %x : vector<8xf32>
  %1 = math.erfc %x : vector<8xf32>
  return %0, %1 : vector<8xf32>, vector<8xf32>
}

// -----

// CHECK-LABEL: func.func @f64_untouched
// CHECK: math.tanh %{{.*}} : f64
// CHECK: math.exp %{{.*}} : f64
func.func @f64_untouched(%x: f64) -> (f64, f64) {
  %0 = math.tanh %x : f64
  %1 = math.exp %x : f64
  return %0, %1 : f64, f64
}

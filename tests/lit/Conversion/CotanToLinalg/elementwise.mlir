// RUN: cotan-opt %s --split-input-file --convert-cotan-to-linalg | FileCheck %s
// Elementwise ops become one parallel linalg.generic over their scalar rule.
// CHECK-LABEL: func.func @neg_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: arith.negf %{{.*}} : f32
func.func @neg_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.neg %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @abs_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.absf %{{.*}} : f32
func.func @abs_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.abs %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @exp_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.exp %{{.*}} : f32
func.func @exp_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.exp %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @log_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.log %{{.*}} : f32
func.func @log_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.log %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @log1p_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.log1p %{{.*}} : f32
func.func @log1p_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.log1p %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @expm1_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.expm1 %{{.*}} : f32
func.func @expm1_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.expm1 %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @erf_and_erfc_f64
// CHECK: linalg.generic
// CHECK: math.erf %{{.*}} : f64
// CHECK: linalg.generic
// CHECK: math.erfc %{{.*}} : f64
func.func @erf_and_erfc_f64(%x: tensor<5xf64>) -> (tensor<5xf64>, tensor<5xf64>) {
  %0 = cotan.erf %x : tensor<5xf64>
  %1 = cotan.erfc %x : tensor<5xf64>
  return %0, %1 : tensor<5xf64>, tensor<5xf64>
}

// -----

// CHECK-LABEL: func.func @tanh_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.tanh %{{.*}} : f32
func.func @tanh_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.tanh %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @sqrt_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.sqrt %{{.*}} : f32
func.func @sqrt_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.sqrt %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @rsqrt_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.rsqrt %{{.*}} : f32
func.func @rsqrt_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.rsqrt %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @sin_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.sin %{{.*}} : f32
func.func @sin_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.sin %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @cos_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.cos %{{.*}} : f32
func.func @cos_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.cos %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @floor_f32
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: math.floor %{{.*}} : f32
func.func @floor_f32(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cotan.floor %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @add_f64
// CHECK: linalg.generic
// CHECK: arith.addf %{{.*}}, %{{.*}} : f64
func.func @add_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.add %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @sub_f64
// CHECK: linalg.generic
// CHECK: arith.subf %{{.*}}, %{{.*}} : f64
func.func @sub_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.sub %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @mul_f64
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f64
func.func @mul_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.mul %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @div_f64
// CHECK: linalg.generic
// CHECK: arith.divf %{{.*}}, %{{.*}} : f64
func.func @div_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.div %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @rem_f64
// CHECK: linalg.generic
// CHECK: arith.remf %{{.*}}, %{{.*}} : f64
func.func @rem_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.rem %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @pow_f64
// CHECK: linalg.generic
// CHECK: math.powf %{{.*}}, %{{.*}} : f64
func.func @pow_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.pow %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @max_f64
// CHECK: linalg.generic
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f64
func.func @max_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.max %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @min_f64
// CHECK: linalg.generic
// CHECK: arith.minimumf %{{.*}}, %{{.*}} : f64
func.func @min_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.min %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @atan2_f64
// CHECK: linalg.generic
// CHECK: math.atan2 %{{.*}}, %{{.*}} : f64
func.func @atan2_f64(%x: tensor<4xf64>, %y: tensor<4xf64>) -> tensor<4xf64> {
  %0 = cotan.atan2 %x, %y : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// CHECK-LABEL: func.func @logistic
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @logistic(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cotan.logistic %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// +-0 and NaN keep their value; everything else becomes copysign(1, x).
// CHECK-LABEL: func.func @sign_f32
// CHECK: %[[Z:.*]] = arith.cmpf ueq
// CHECK: %[[U:.*]] = math.copysign
// CHECK: arith.select %[[Z]], %{{.*}}, %[[U]]
func.func @sign_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cotan.sign %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @int_unary
// CHECK: arith.subi
// CHECK: math.absi
// CHECK: arith.cmpi sgt
// CHECK: arith.cmpi slt
// CHECK: arith.xori
func.func @int_unary(%x: tensor<4xi64>) -> tensor<4xi64> {
  %0 = cotan.neg %x : tensor<4xi64>
  %1 = cotan.abs %0 : tensor<4xi64>
  %2 = cotan.sign %1 : tensor<4xi64>
  %3 = cotan.not %2 : tensor<4xi64>
  return %3 : tensor<4xi64>
}

// -----

// Integer division by zero yields -1 instead of trapping.
// CHECK-LABEL: func.func @div_i32
// CHECK: %[[BYZERO:.*]] = arith.cmpi eq, %{{.*}}, %c0_i32
// CHECK: %[[SAFE:.*]] = arith.select %{{.*}}, %c1_i32, %{{.*}} : i32
// CHECK: %[[Q:.*]] = arith.divsi %{{.*}}, %[[SAFE]] : i32
// CHECK: arith.select %[[BYZERO]], %c-1_i32, %[[Q]] : i32
func.func @div_i32(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = cotan.div %x, %y : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// x % 0 is x.
// CHECK-LABEL: func.func @rem_i64
// CHECK: %[[BYZERO:.*]] = arith.cmpi eq, %{{.*}}, %c0_i64
// CHECK: arith.remsi
// CHECK: arith.select %[[BYZERO]], %{{.*}}, %{{.*}} : i64
func.func @rem_i64(%x: tensor<4xi64>, %y: tensor<4xi64>) -> tensor<4xi64> {
  %0 = cotan.rem %x, %y : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// A zero base with a negative exponent is replaced before math.ipowi.
// CHECK-LABEL: func.func @pow_i32
// CHECK: arith.select %{{.*}}, %c2_i32, %{{.*}} : i32
// CHECK: math.ipowi
func.func @pow_i32(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = cotan.pow %x, %y : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @int_binary
// CHECK: arith.addi
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.andi
// CHECK: arith.ori
func.func @int_binary(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = cotan.add %x, %y : tensor<4xi32>
  %1 = cotan.sub %0, %y : tensor<4xi32>
  %2 = cotan.mul %1, %y : tensor<4xi32>
  %3 = cotan.max %2, %y : tensor<4xi32>
  %4 = cotan.min %3, %y : tensor<4xi32>
  %5 = cotan.and %4, %y : tensor<4xi32>
  %6 = cotan.or %5, %y : tensor<4xi32>
  return %6 : tensor<4xi32>
}

// -----

// f16 and bf16 compute in f32 and round back.
// CHECK-LABEL: func.func @half_precision
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: math.exp %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.mulf %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @half_precision(%x: tensor<4xf16>, %y: tensor<4xbf16>) -> (tensor<4xf16>, tensor<4xbf16>) {
  %0 = cotan.exp %x : tensor<4xf16>
  %1 = cotan.mul %y, %y : tensor<4xbf16>
  return %0, %1 : tensor<4xf16>, tensor<4xbf16>
}

// -----

// Booleans are stored as i8 and are i1 inside the body.
// CHECK-LABEL: func.func @bool_logic
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8, %{{.*}}: i8):
// CHECK: %[[A1:.*]] = arith.trunci %[[A]] : i8 to i1
// CHECK: %[[B1:.*]] = arith.trunci %[[B]] : i8 to i1
// CHECK: %[[R:.*]] = arith.andi %[[A1]], %[[B1]] : i1
// CHECK: %[[R8:.*]] = arith.extui %[[R]] : i1 to i8
// CHECK: linalg.yield %[[R8]] : i8
// CHECK: arith.ori
// CHECK: arith.xori
func.func @bool_logic(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = cotan.and %a, %b : tensor<4xi1>
  %1 = cotan.or %0, %b : tensor<4xi1>
  %2 = cotan.not %1 : tensor<4xi1>
  return %2 : tensor<4xi1>
}

// -----

// Floats compare ordered except `ne`; booleans compare unsigned.
// CHECK-LABEL: func.func @compare
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpf une
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ole
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oge
// CHECK: arith.cmpi slt, %{{.*}} : i32
// CHECK: arith.cmpi ult, %{{.*}} : i1
func.func @compare(%x: tensor<4xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = cotan.compare eq, %x, %x : tensor<4xf32> -> tensor<4xi1>
  %1 = cotan.compare ne, %x, %x : tensor<4xf32> -> tensor<4xi1>
  %2 = cotan.compare lt, %x, %x : tensor<4xf32> -> tensor<4xi1>
  %3 = cotan.compare le, %x, %x : tensor<4xf32> -> tensor<4xi1>
  %4 = cotan.compare gt, %x, %x : tensor<4xf32> -> tensor<4xi1>
  %5 = cotan.compare ge, %x, %x : tensor<4xf32> -> tensor<4xi1>
  %6 = cotan.compare lt, %i, %i : tensor<4xi32> -> tensor<4xi1>
  %7 = cotan.compare lt, %b, %b : tensor<4xi1> -> tensor<4xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @select
// CHECK: %[[P:.*]] = arith.trunci %{{.*}} : i8 to i1
// CHECK: arith.select %[[P]], %{{.*}}, %{{.*}} : f32
func.func @select(%p: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cotan.select %p, %x, %y : tensor<4xi1>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @convert
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.fptosi %{{.*}} : f64 to i32
// CHECK: arith.extsi %{{.*}} : i32 to i64
// CHECK: arith.sitofp %{{.*}} : i64 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: arith.cmpf une
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @convert(%x: tensor<4xf32>) -> (tensor<4xbf16>, tensor<4xf16>) {
  %0 = cotan.convert %x : tensor<4xf32> -> tensor<4xf64>
  %1 = cotan.convert %0 : tensor<4xf64> -> tensor<4xi32>
  %2 = cotan.convert %1 : tensor<4xi32> -> tensor<4xi64>
  %3 = cotan.convert %2 : tensor<4xi64> -> tensor<4xbf16>
  %4 = cotan.convert %x : tensor<4xf32> -> tensor<4xi1>
  %5 = cotan.convert %4 : tensor<4xi1> -> tensor<4xf16>
  return %3, %5 : tensor<4xbf16>, tensor<4xf16>
}

// -----

// Shifts by the bit width or more give 0 (arith's would be poison);
// bitcast_convert reinterprets the bits.
// CHECK-LABEL: func.func @shifts_and_bitcast
// CHECK: %[[WIDTH:.*]] = arith.constant 32 : i32
// CHECK: %[[OK:.*]] = arith.cmpi ult, %[[AMOUNT:.*]], %[[WIDTH]] : i32
// CHECK: %[[SHIFTED:.*]] = arith.shrui %{{.*}}, %[[AMOUNT]] : i32
// CHECK: arith.select %[[OK]], %[[SHIFTED]], %{{.*}} : i32
// CHECK: arith.bitcast %{{.*}} : i32 to f32
func.func @shifts_and_bitcast(%x: tensor<4xi32>, %n: tensor<4xi32>) -> tensor<4xf32> {
  %0 = cotan.shift_right_logical %x, %n : tensor<4xi32>
  %1 = cotan.bitcast_convert %0 : tensor<4xi32> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Threefry-2x32: one generic with two results; the third key word is
// k0 ^ k1 ^ 0x1BD11BDA, then 20 mix rounds (add, rotate by 13 first, xor)
// in five groups, each closed by a key injection counting 1..5.
// CHECK-LABEL: func.func @threefry
// CHECK: %{{.*}}:2 = linalg.generic {{.*}} ins(%arg0, %arg1, %arg2, %arg3 : {{.*}}) outs(%{{.*}}, %{{.*}} : tensor<8xi32>, tensor<8xi32>)
// CHECK: %[[PARITY:.*]] = arith.constant 466688986 : i32
// CHECK: arith.xori
// CHECK: arith.xori %{{.*}}, %[[PARITY]]
// CHECK-COUNT-20: arith.shli
// CHECK: arith.constant 5 : i32
// CHECK: linalg.yield %{{.*}}, %{{.*}} : i32, i32
func.func @threefry(%k0: tensor<8xi32>, %k1: tensor<8xi32>, %x0: tensor<8xi32>, %x1: tensor<8xi32>) -> (tensor<8xi32>, tensor<8xi32>) {
  %y:2 = cotan.threefry2x32 %k0, %k1, %x0, %x1 : tensor<8xi32>
  return %y#0, %y#1 : tensor<8xi32>, tensor<8xi32>
}

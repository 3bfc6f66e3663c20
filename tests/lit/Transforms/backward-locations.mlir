// RUN: cotan-opt %s --cotan-expand-autodiff --mlir-print-debuginfo | FileCheck %s

// The adjoint's forward sweep keeps the source locations; the ops the VJP
// rules build carry the forward op's location named "backward".
// CHECK-LABEL: func.func private @f_vjp
// CHECK: cotan.sqrt %arg0 : tensor<2xf32> loc(#[[FORWARD:loc[0-9]*]])
// CHECK: cotan.div {{.*}} loc(#[[BACKWARD:loc[0-9]*]])
// CHECK: return
// CHECK-DAG: #[[FORWARD]] = loc("model.py":7:0)
// CHECK-DAG: #[[BACKWARD]] = loc("backward"(#[[FORWARD]]))
func.func private @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %s = cotan.sqrt %x : tensor<2xf32> loc("model.py":7:0)
  return %s : tensor<2xf32>
}
func.func @g(%x: tensor<2xf32>, %ct: tensor<2xf32>) -> tensor<2xf32> {
  %r:2 = cotan.vjp @f(%x) cotangents(%ct) : (tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %r#1 : tensor<2xf32>
}

//===- DifferentiableOpInterface.td - derivative rules -----*- tablegen -*-===//
//
// Each differentiable cotan op supplies its forward-mode (JVP) and
// reverse-mode (VJP) rule here, written once next to the op and emitting
// cotan ops, so the autodiff passes compose: their output can be
// differentiated again. A null Value stands for a zero (co)tangent.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_INTERFACES_DIFFERENTIABLEOPINTERFACE_TD
#define COTAN_INTERFACES_DIFFERENTIABLEOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def Cotan_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::cotan";
  let description = [{
    Derivative rules of an op. `tangents` has one entry per operand and
    `cotangents` one per result; a null Value is a zero. Rules build at the
    builder's insertion point and may use the op's operands and results
    (the forward values). Ops without a derivative (comparisons, integer
    and boolean ops, argmax, floor, sign) keep the default rules, which
    return zeros.
  }];
  let methods = [
    InterfaceMethod<
      "Tangents of the results given tangents of the operands.",
      "::llvm::SmallVector<::mlir::Value>", "jvp",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$tangents), [{}], [{
        return ::llvm::SmallVector<::mlir::Value>($_op->getNumResults());
      }]>,
    InterfaceMethod<
      "Cotangents of the operands given cotangents of the results.",
      "::llvm::SmallVector<::mlir::Value>", "vjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$cotangents), [{}], [{
        return ::llvm::SmallVector<::mlir::Value>($_op->getNumOperands());
      }]>,
  ];
}

#endif // COTAN_INTERFACES_DIFFERENTIABLEOPINTERFACE_TD

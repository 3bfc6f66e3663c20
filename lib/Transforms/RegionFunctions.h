//===- RegionFunctions.h - regions as functions, for control-flow rules ---===//
//
// The derivative and batching rules of cotan.switch, cotan.while and
// cotan.scan transform whole regions. A region is isolated from above, so
// it is a function of its block arguments: rules outline it, build the
// transformed function with the same builders cotan-expand-autodiff and
// cotan-vmap use, and inline the result into the regions of a new op.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_LIB_TRANSFORMS_REGIONFUNCTIONS_H
#define COTAN_LIB_TRANSFORMS_REGIONFUNCTIONS_H

#include "cotan/Transforms/Passes.h"

#include "mlir/IR/OwningOpRef.h"

namespace mlir::cotan {

/// Functions outlined from regions and the functions derived from them,
/// held in a scratch module that dies with the rule.
class ScratchFunctions {
public:
  explicit ScratchFunctions(Location loc);

  /// A copy of `region` as `func.func @<name>(block args) -> (yielded)`.
  func::FuncOp outline(Region &region, StringRef name);

  /// outline(), then buildTangentFunction: (args, tangents) ->
  /// (results, tangents).
  FailureOr<func::FuncOp> tangent(Region &region);
  /// outline(), then buildAdjointFunction: (args, cotangents of the
  /// results) -> (results, cotangents of the args).
  FailureOr<func::FuncOp> adjoint(Region &region);
  /// outline(), then buildBatchedFunction over the arguments in `batched`.
  FailureOr<func::FuncOp> batched(Region &region, ArrayRef<bool> batched,
                                  int64_t batchSize);

private:
  OwningOpRef<ModuleOp> module;
  SymbolTable symbols;
};

/// Clones the body of `function` at the builder with its arguments bound to
/// `args`; returns what it returns.
SmallVector<Value> inlineCall(OpBuilder &b, func::FuncOp function,
                              ValueRange args);

/// Gives `region` one block taking `argTypes`, filled by `body` (which
/// returns the values to yield) and terminated by cotan.yield. The builder
/// is restored afterwards.
void buildRegion(OpBuilder &b, Location loc, Region &region,
                 TypeRange argTypes,
                 function_ref<SmallVector<Value>(OpBuilder &, ValueRange)> body);

/// `values` followed by `more`.
SmallVector<Value> concat(ValueRange values, ValueRange more);

/// `seeds[i]` (a tangent or cotangent), or zeros of `values[i]`'s type
/// where it is null.
SmallVector<Value> seedsOrZeros(OpBuilder &b, Location loc, ValueRange values,
                                ArrayRef<Value> seeds);

/// Per batch element: `onTrue` where the batched predicate `pred` (shape
/// [batch]) holds, else `onFalse` (both of shape [batch, ...]).
Value selectPerElement(OpBuilder &b, Location loc, Value pred, Value onTrue,
                       Value onFalse);

/// Attach each control-flow op's rules (one file per op).
void attachSwitchRules(MLIRContext *context);
void attachWhileRules(MLIRContext *context);
void attachScanRules(MLIRContext *context);

} // namespace mlir::cotan

#endif // COTAN_LIB_TRANSFORMS_REGIONFUNCTIONS_H

//===- DifferentiableBody.h - shared by the forward and reverse modes -----===//
//
// What the JVP and VJP builders agree on: which values carry derivatives and
// how an op without derivative rules is reported.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_LIB_TRANSFORMS_DIFFERENTIABLEBODY_H
#define COTAN_LIB_TRANSFORMS_DIFFERENTIABLEBODY_H

#include "cotan/IR/CotanOps.h"
#include "cotan/Interfaces/DifferentiableOpInterface.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::cotan {

/// Only float values carry tangents and cotangents; derivatives with respect
/// to integers and booleans are zeros.
inline bool carriesDerivative(Type type) {
  return isa<FloatType>(getElementTypeOrSelf(type));
}

/// True for an op outside the cotan dialect that only computes sizes: no
/// memory effects, no regions and no float results (tensor.dim and the
/// arith on its index values in a shape-polymorphic function). Its
/// derivatives are zeros.
inline bool isShapeComputation(Operation *op) {
  return !isa<DifferentiableOpInterface>(op) && op->getNumRegions() == 0 &&
         isMemoryEffectFree(op) &&
         llvm::none_of(op->getResultTypes(), carriesDerivative);
}

/// Fails, with a diagnostic, when `op` or an op nested in its regions has
/// no derivative rules (region terminators and shape computations need
/// none).
inline LogicalResult verifyDifferentiable(Operation &op) {
  WalkResult result = op.walk([](Operation *nested) {
    if (isa<DifferentiableOpInterface, YieldOp>(nested) ||
        isShapeComputation(nested))
      return WalkResult::advance();
    nested->emitOpError("cannot be differentiated: it has no derivative "
                        "rules (only cotan ops can be differentiated)");
    return WalkResult::interrupt();
  });
  return failure(result.wasInterrupted());
}

/// Fails, with a diagnostic, when reverse mode cannot go through `op` or an
/// op nested in it: a while loop has no bound on the residuals it would
/// need to keep.
inline LogicalResult verifyReversible(Operation &op) {
  if (failed(verifyDifferentiable(op)))
    return failure();
  WalkResult result = op.walk([](WhileOp loop) {
    loop.emitOpError(
        "cannot be differentiated in reverse mode: its trip count is "
        "unbounded, so there is no bound on the values to keep for the "
        "backward pass; use cotan.scan (lax.scan, or lax.fori_loop with "
        "static bounds), or forward mode (jvp, jacfwd)");
    return WalkResult::interrupt();
  });
  return failure(result.wasInterrupted());
}

} // namespace mlir::cotan

#endif // COTAN_LIB_TRANSFORMS_DIFFERENTIABLEBODY_H

//===- DifferentiableBody.h - shared by the forward and reverse modes -----===//
//
// What the JVP and VJP builders agree on: which values carry derivatives and
// how an op without derivative rules is reported.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_LIB_TRANSFORMS_DIFFERENTIABLEBODY_H
#define COTAN_LIB_TRANSFORMS_DIFFERENTIABLEBODY_H

#include "cotan/Interfaces/DifferentiableOpInterface.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::cotan {

/// Only float values carry tangents and cotangents; derivatives with respect
/// to integers and booleans are zeros.
inline bool carriesDerivative(Type type) {
  return isa<FloatType>(getElementTypeOrSelf(type));
}

/// Fails, with a diagnostic on `op`, when `op` has no derivative rules.
inline LogicalResult verifyDifferentiable(Operation &op) {
  if (isa<DifferentiableOpInterface>(op))
    return success();
  return op.emitOpError("cannot be differentiated: it has no derivative "
                        "rules (only cotan ops can be differentiated)");
}

} // namespace mlir::cotan

#endif // COTAN_LIB_TRANSFORMS_DIFFERENTIABLEBODY_H

//===- CotanDialect.cpp - cotan dialect registration ----------------------===//
//
// The dialect, its constant materializer and the ODS-generated op classes.
// Each op family's verifiers, shape rules and folders live in the family's
// own file (ElementwiseOps.cpp, ShapeOps.cpp, ReductionOps.cpp,
// DotGeneralOp.cpp).
//
//===----------------------------------------------------------------------===//

#include "cotan/IR/CotanOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace mlir::cotan;

#include "cotan/IR/CotanDialect.cpp.inc"
#include "cotan/IR/CotanEnums.cpp.inc"

namespace {
/// cotan ops are pure and region-free: always legal to inline. Inlining
/// merges generated derivative functions into their callers.
struct CotanInlinerInterface : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Operation *, bool) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void CotanDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cotan/IR/CotanOps.cpp.inc"
      >();
  addInterfaces<CotanInlinerInterface>();
  attachShapeReification(getContext());
}

Operation *CotanDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

#define GET_OP_CLASSES
#include "cotan/IR/CotanOps.cpp.inc"

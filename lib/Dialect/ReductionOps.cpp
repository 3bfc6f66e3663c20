//===- ReductionOps.cpp - reduce_* and argmax/argmin shape rules ----------===//

#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

LogicalResult mlir::cotan::inferReduceType(std::optional<Location> location,
                                           Type operandType,
                                           ArrayRef<int64_t> dimensions,
                                           SmallVectorImpl<Type> &inferred) {
  auto type = rankedTensor(location, operandType, "operand");
  if (failed(type) || failed(checkDimensionSet(location, dimensions,
                                               type->getRank(), "reduce_c1")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type->getRank(); ++d)
    if (!llvm::is_contained(dimensions, d))
      shape.push_back(type->getDimSize(d));
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

LogicalResult mlir::cotan::verifyArgReduce(Operation *op, Type operandType,
                                           int64_t dimension,
                                           Type resultType) {
  auto operand = cast<RankedTensorType>(operandType);
  auto result = cast<RankedTensorType>(resultType);
  if (dimension < 0 || dimension >= operand.getRank())
    return op->emitOpError("(arg_reduce_c1) dimension ")
           << dimension << " is out of range for an operand of rank "
           << operand.getRank();
  if (operand.getDimSize(dimension) == 0)
    return op->emitOpError("(arg_reduce_c3) dimension ")
           << dimension << " has size 0: there is no extreme element";
  SmallVector<int64_t> shape(operand.getShape());
  shape.erase(shape.begin() + dimension);
  if (result.getShape() != ArrayRef<int64_t>(shape))
    return op->emitOpError("(arg_reduce_c2) result shape must be the operand "
                           "shape without dimension ")
           << dimension << ", got " << result;
  return success();
}

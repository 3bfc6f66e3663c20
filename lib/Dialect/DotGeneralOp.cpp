//===- DotGeneralOp.cpp - dot_general shape rule --------------------------===//

#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

LogicalResult DotGeneralOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto lhs = rankedTensor(location, adaptor.getLhs().getType(), "lhs");
  auto rhs = rankedTensor(location, adaptor.getRhs().getType(), "rhs");
  if (failed(lhs) || failed(rhs))
    return failure();
  if (lhs->getElementType() != rhs->getElementType())
    return emitOptionalError(location, "(dot_general_c1) operand element "
                                       "types differ: ",
                             lhs->getElementType(), " vs ",
                             rhs->getElementType());
  if (!adaptor.getLhsContractingDimensionsAttr() ||
      !adaptor.getRhsContractingDimensionsAttr())
    return emitOptionalError(location, "(dot_general_c2) requires contracting "
                                       "dimensions");
  ArrayRef<int64_t> lhsBatch, rhsBatch;
  if (auto attr = adaptor.getLhsBatchingDimensionsAttr())
    lhsBatch = attr.asArrayRef();
  if (auto attr = adaptor.getRhsBatchingDimensionsAttr())
    rhsBatch = attr.asArrayRef();
  ArrayRef<int64_t> lhsContract = adaptor.getLhsContractingDimensions();
  ArrayRef<int64_t> rhsContract = adaptor.getRhsContractingDimensions();
  if (lhsBatch.size() != rhsBatch.size())
    return emitOptionalError(location, "(dot_general_c3) lhs has ",
                             lhsBatch.size(), " batching dimensions, rhs has ",
                             rhsBatch.size());
  if (lhsContract.size() != rhsContract.size())
    return emitOptionalError(location, "(dot_general_c4) lhs has ",
                             lhsContract.size(),
                             " contracting dimensions, rhs has ",
                             rhsContract.size());
  SmallVector<int64_t> lhsUsed(lhsBatch), rhsUsed(rhsBatch);
  llvm::append_range(lhsUsed, lhsContract);
  llvm::append_range(rhsUsed, rhsContract);
  if (failed(checkDimensionSet(location, lhsUsed, lhs->getRank(),
                               "dot_general_c5")) ||
      failed(checkDimensionSet(location, rhsUsed, rhs->getRank(),
                               "dot_general_c5")))
    return failure();
  for (auto [l, r] : llvm::zip(lhsUsed, rhsUsed))
    if (lhs->getDimSize(l) != rhs->getDimSize(r))
      return emitOptionalError(location, "(dot_general_c6) lhs dimension ", l,
                               " (size ", lhs->getDimSize(l),
                               ") does not match rhs dimension ", r, " (size ",
                               rhs->getDimSize(r), ")");
  SmallVector<int64_t> shape;
  for (int64_t d : lhsBatch)
    shape.push_back(lhs->getDimSize(d));
  for (int64_t d = 0; d < lhs->getRank(); ++d)
    if (!llvm::is_contained(lhsUsed, d))
      shape.push_back(lhs->getDimSize(d));
  for (int64_t d = 0; d < rhs->getRank(); ++d)
    if (!llvm::is_contained(rhsUsed, d))
      shape.push_back(rhs->getDimSize(d));
  inferred.push_back(RankedTensorType::get(shape, lhs->getElementType()));
  return success();
}

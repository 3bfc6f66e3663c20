//===- DotGeneralToLinalg.cpp - dot_general to linalg.generic -------------===//
//
// Loops are ordered batch, lhs free, contracting, rhs free: with the rhs
// free dimensions innermost, the inner loop walks the rhs and the result
// contiguously (row-major), which LLVM vectorizes; with the contraction
// innermost it would stride down rhs columns. f16/bf16 accumulate in f32.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "cotan/Conversion/Passes.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

namespace {

struct DotGeneralToGeneric : OpConversionPattern<DotGeneralOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DotGeneralOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> lhsBatch = op.getLhsBatchingDimensions();
    ArrayRef<int64_t> rhsBatch = op.getRhsBatchingDimensions();
    ArrayRef<int64_t> lhsContract = op.getLhsContractingDimensions();
    ArrayRef<int64_t> rhsContract = op.getRhsContractingDimensions();
    MLIRContext *context = rewriter.getContext();

    int64_t numBatch = lhsBatch.size();
    int64_t numContract = lhsContract.size();
    int64_t lhsFree = lhsType.getRank() - numBatch - numContract;
    int64_t rhsFree = rhsType.getRank() - numBatch - numContract;
    int64_t contractStart = numBatch + lhsFree;
    int64_t rhsFreeStart = contractStart + numContract;
    int64_t numLoops = rhsFreeStart + rhsFree;

    // Map operand dimensions to loops.
    auto operandMap = [&](RankedTensorType type, ArrayRef<int64_t> batch,
                          ArrayRef<int64_t> contract, int64_t freeStart) {
      SmallVector<AffineExpr> exprs;
      int64_t nextFree = freeStart;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        const auto *b = llvm::find(batch, d);
        const auto *c = llvm::find(contract, d);
        int64_t loop = b != batch.end()      ? b - batch.begin()
                       : c != contract.end() ? contractStart + (c - contract.begin())
                                             : nextFree++;
        exprs.push_back(getAffineDimExpr(loop, context));
      }
      return AffineMap::get(numLoops, 0, exprs, context);
    };
    SmallVector<AffineExpr> resultExprs;
    SmallVector<utils::IteratorType> iterators(numLoops,
                                               utils::IteratorType::parallel);
    for (int64_t d = 0; d < numLoops; ++d) {
      if (d >= contractStart && d < rhsFreeStart)
        iterators[d] = utils::IteratorType::reduction;
      else
        resultExprs.push_back(getAffineDimExpr(d, context));
    }
    SmallVector<AffineMap> maps = {
        operandMap(lhsType, lhsBatch, lhsContract, numBatch),
        operandMap(rhsType, rhsBatch, rhsContract, rhsFreeStart),
        AffineMap::get(numLoops, 0, resultExprs, context)};

    Type element = resultType.getElementType();
    auto accType = resultType.clone(isHalf(element) ? rewriter.getF32Type() : element);
    Location loc = op.getLoc();
    Value product =
        multiplyAccumulate(rewriter, loc, adaptor.getLhs(), adaptor.getRhs(), accType,
                           resultDynamicSizes(rewriter, op), maps, iterators);
    rewriter.replaceOp(
        op, convertTensor(rewriter, loc, product, element));
    return success();
  }
};

} // namespace

Value mlir::cotan::multiplyAccumulate(OpBuilder &b, Location loc, Value lhs,
                                      Value rhs, RankedTensorType accType,
                                      ValueRange dynamicSizes,
                                      ArrayRef<AffineMap> maps,
                                      ArrayRef<utils::IteratorType> iterators) {
  Type accElement = accType.getElementType();
  Value init = filledTensor(
      b, loc, accType,
      arith::ConstantOp::create(b, loc, b.getZeroAttr(accElement)), dynamicSizes);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{accType}, ValueRange{lhs, rhs}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value x = upcastHalf(nb, nloc, args[0]);
        Value y = upcastHalf(nb, nloc, args[1]);
        Value sum;
        if (isa<FloatType>(accElement))
          sum = arith::AddFOp::create(nb, nloc, args[2],
                                      arith::MulFOp::create(nb, nloc, x, y));
        else
          sum = arith::AddIOp::create(nb, nloc, args[2],
                                      arith::MulIOp::create(nb, nloc, x, y));
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return generic->getResult(0);
}

void mlir::cotan::populateCotanDotGeneralToLinalgPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<DotGeneralToGeneric>(converter, patterns.getContext());
}

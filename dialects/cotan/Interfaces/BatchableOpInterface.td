//===- BatchableOpInterface.td - batching rules ------------*- tablegen -*-===//
//
// How each cotan op runs on a batch: given its operands, some carrying an
// extra leading batch dimension, build the batched results (all with the
// leading batch dimension). Written once next to the op; cotan-vmap uses
// it and falls back to a loop over the batch when a rule declines.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_INTERFACES_BATCHABLEOPINTERFACE_TD
#define COTAN_INTERFACES_BATCHABLEOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def Cotan_BatchableOpInterface : OpInterface<"BatchableOpInterface"> {
  let cppNamespace = "::mlir::cotan";
  let description = [{
    `operands` are the op's operands in the batched program; `batched[i]`
    tells whether operand i has an extra leading dimension of `batchSize`.
    The rule returns the batched results (leading dimension `batchSize`)
    or failure, in which case cotan-vmap loops over the batch. `batchSize`
    may be dynamic (vmap over a symbolic dimension); a rule that cannot
    batch over a size known only at run time declines, and cotan-vmap
    reports the op, since it cannot loop either. The default
    rule is the elementwise one: broadcast the unbatched operands and apply
    the op to whole batches.
  }];
  let methods = [
    InterfaceMethod<
      "Results of the op applied to a batch of its operands.",
      "::mlir::FailureOr<::llvm::SmallVector<::mlir::Value>>", "batch",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$operands,
           "::llvm::ArrayRef<bool>":$batched, "::mlir::cotan::BatchSize":$batchSize), [{}], [{
        return ::mlir::cotan::batchElementwise($_op, builder, operands,
                                               batched, batchSize);
      }]>,
  ];
}

#endif // COTAN_INTERFACES_BATCHABLEOPINTERFACE_TD

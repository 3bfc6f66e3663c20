//===- Dialects.h - C API for the cotan dialect -------------------*- C -*-===//
#ifndef COTAN_C_DIALECTS_H
#define COTAN_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(Cotan, cotan);

/// Adds cotan's dialect extensions (the control-flow ops' derivative and
/// batching rules) to `registry`.
MLIR_CAPI_EXPORTED void cotanRegisterDialectExtensions(MlirDialectRegistry registry);

/// Registers cotan's passes and named pipelines (idempotent).
MLIR_CAPI_EXPORTED void cotanRegisterPasses(void);

#ifdef __cplusplus
}
#endif

#endif // COTAN_C_DIALECTS_H

// Copyright 2026 The framerpc Authors.
//
// Early-return helpers for absl::Status and absl::StatusOr<T>, which abseil
// 20220623 does not ship.
//
//   absl::Status Start() {
//     FRAMERPC_RETURN_IF_ERROR(socket.Bind(endpoint));
//     FRAMERPC_ASSIGN_OR_RETURN(int port, socket.LocalPort());
//     ...
//   }

#ifndef FRAMERPC_BASE_STATUS_MACROS_H_
#define FRAMERPC_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status); returns it from the enclosing function
// when it is not OK.
#define FRAMERPC_RETURN_IF_ERROR(expr)                \
  do {                                                \
    ::absl::Status framerpc_status_internal = (expr); \
    if (!framerpc_status_internal.ok()) {             \
      return framerpc_status_internal;                \
    }                                                 \
  } while (0)

#define FRAMERPC_STATUS_MACROS_CONCAT_INNER(a, b) a##b
#define FRAMERPC_STATUS_MACROS_CONCAT(a, b) \
  FRAMERPC_STATUS_MACROS_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::StatusOr<T>); returns its status when it is not
// OK, otherwise moves its value into `lhs` (which may declare a variable).
#define FRAMERPC_ASSIGN_OR_RETURN(lhs, expr) \
  FRAMERPC_ASSIGN_OR_RETURN_IMPL(            \
      FRAMERPC_STATUS_MACROS_CONCAT(framerpc_statusor_, __LINE__), lhs, expr)

#define FRAMERPC_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                   \
  if (!statusor.ok()) {                                     \
    return std::move(statusor).status();                    \
  }                                                         \
  lhs = std::move(statusor).value()

#endif  // FRAMERPC_BASE_STATUS_MACROS_H_

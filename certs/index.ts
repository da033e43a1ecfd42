export { issueCertificates } from "./issue.js";
export type { CertificateAuthority, IssueOptions, IssuedCertificates } from "./issue.js";
export {
  CERT_FILE_NAMES,
  certificatePaths,
  ensureSelfSigned,
  readCertificateFiles,
  writeCertificateFiles,
  writeFileAtomic,
} from "./files.js";
export type { CertificatePaths, EnsureSelfSignedOptions, EnsuredCertificates, StoredCertificates } from "./files.js";
export { caBundleFromPem, describeCertificate } from "./caBundle.js";
export type { CertificateSummary } from "./caBundle.js";
export { serviceDnsNames } from "./serviceNames.js";

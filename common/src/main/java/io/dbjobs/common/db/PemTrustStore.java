package io.dbjobs.common.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.Key;
import java.security.KeyStoreException;
import java.security.KeyStoreSpi;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A read-only {@link java.security.KeyStore} type, {@value #TYPE}, whose "file" is a PEM file of
 * one or more CA certificates. Connector/J takes its trust store as a URL and a key store type;
 * this type lets it read the CA file of the config as it is, at every connect, with no converted
 * copy on disk. Registered as a JCA provider once, on first use.
 */
public final class PemTrustStore extends KeyStoreSpi {
  static final String TYPE = "DBJOBS-PEM";
  static final String PROVIDER = "DbJobsPem";

  private final Map<String, Certificate> certificates = new LinkedHashMap<>();

  /** For the JCA, which makes instances by reflection; use {@code KeyStore.getInstance(TYPE)}. */
  public PemTrustStore() {}

  /** Adds the provider to the JVM, once. */
  static synchronized void register() {
    if (Security.getProvider(PROVIDER) == null) {
      Security.addProvider(new PemProvider());
    }
  }

  /** The JCA provider of {@value #TYPE}. */
  static final class PemProvider extends Provider {
    private static final long serialVersionUID = 1L;

    PemProvider() {
      super(PROVIDER, "1.0", "dbjobs: CA certificates from a PEM file as a trust store");
      put("KeyStore." + TYPE, PemTrustStore.class.getName());
    }
  }

  @Override
  public void engineLoad(InputStream stream, char[] password)
      throws IOException, CertificateException {
    certificates.clear();
    if (stream == null) {
      return;
    }
    int i = 0;
    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(stream)) {
      certificates.put("ca-" + i++, c);
    }
    if (certificates.isEmpty()) {
      throw new CertificateException("no certificate in the CA file");
    }
  }

  @Override
  public Certificate engineGetCertificate(String alias) {
    return certificates.get(alias);
  }

  @Override
  public Enumeration<String> engineAliases() {
    return Collections.enumeration(new ArrayList<>(certificates.keySet()));
  }

  @Override
  public boolean engineContainsAlias(String alias) {
    return certificates.containsKey(alias);
  }

  @Override
  public int engineSize() {
    return certificates.size();
  }

  @Override
  public boolean engineIsKeyEntry(String alias) {
    return false;
  }

  @Override
  public boolean engineIsCertificateEntry(String alias) {
    return certificates.containsKey(alias);
  }

  @Override
  public String engineGetCertificateAlias(Certificate cert) {
    for (Map.Entry<String, Certificate> e : certificates.entrySet()) {
      if (e.getValue().equals(cert)) {
        return e.getKey();
      }
    }
    return null;
  }

  @Override
  public Key engineGetKey(String alias, char[] password) {
    return null;
  }

  @Override
  public Certificate[] engineGetCertificateChain(String alias) {
    return null;
  }

  @Override
  public Date engineGetCreationDate(String alias) {
    return certificates.containsKey(alias) ? new Date(0) : null;
  }

  @Override
  public void engineSetKeyEntry(String alias, Key key, char[] password, Certificate[] chain)
      throws KeyStoreException {
    throw readOnly();
  }

  @Override
  public void engineSetKeyEntry(String alias, byte[] key, Certificate[] chain)
      throws KeyStoreException {
    throw readOnly();
  }

  @Override
  public void engineSetCertificateEntry(String alias, Certificate cert) throws KeyStoreException {
    throw readOnly();
  }

  @Override
  public void engineDeleteEntry(String alias) throws KeyStoreException {
    throw readOnly();
  }

  @Override
  public void engineStore(OutputStream stream, char[] password) throws IOException {
    throw new IOException(TYPE + " key stores are read-only");
  }

  private static KeyStoreException readOnly() {
    return new KeyStoreException(TYPE + " key stores are read-only");
  }
}

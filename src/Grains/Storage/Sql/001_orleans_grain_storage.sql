-- Grain state for Microsoft.Orleans.Persistence.AdoNet, written for this project from the provider's
-- documented query contract (see docs/architecture.md, "Grain storage").
--
-- One row per (service, state name, grain id). Unlike the stock script this table has a UNIQUE index over
-- the whole identity, so two activations racing their first write cannot create two rows: the loser's
-- INSERT hits ON CONFLICT and the provider reports an InconsistentStateException.

CREATE TABLE IF NOT EXISTS orleans_grain_state (
    service_id                varchar(150)  NOT NULL,
    grain_type_hash           integer       NOT NULL,
    grain_type_string         varchar(512)  NOT NULL,
    grain_id_hash             integer       NOT NULL,
    grain_id_n0               bigint        NOT NULL,
    grain_id_n1               bigint        NOT NULL,
    grain_id_extension_string varchar(1024) NOT NULL DEFAULT '',
    payload_binary            bytea         NULL,
    version                   integer       NOT NULL,
    modified_on               timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT pk_orleans_grain_state PRIMARY KEY
        (grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type_string, grain_id_extension_string)
);

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64)   NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

-- The provider binds: GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
-- GrainIdExtensionString (null when the key has no extension), ServiceId; writes add GrainStateVersion
-- (null before the first write) and PayloadBinary. A null extension is stored as '' so that it can be
-- part of the primary key.

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', $q$
SELECT s.payload_binary AS "PayloadBinary", s.version AS "Version"
FROM orleans_grain_state s
WHERE s.grain_id_hash = @GrainIdHash
  AND s.grain_type_hash = @GrainTypeHash
  AND s.service_id = @ServiceId
  AND s.grain_id_n0 = @GrainIdN0
  AND s.grain_id_n1 = @GrainIdN1
  AND s.grain_type_string = @GrainTypeString
  AND s.grain_id_extension_string = COALESCE(CAST(@GrainIdExtensionString AS varchar), '')
$q$),
('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE orleans_grain_state s
    SET payload_binary = @PayloadBinary, version = s.version + 1, modified_on = now()
    WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL
      AND s.version = CAST(@GrainStateVersion AS integer)
      AND s.grain_id_hash = @GrainIdHash
      AND s.grain_type_hash = @GrainTypeHash
      AND s.service_id = @ServiceId
      AND s.grain_id_n0 = @GrainIdN0
      AND s.grain_id_n1 = @GrainIdN1
      AND s.grain_type_string = @GrainTypeString
      AND s.grain_id_extension_string = COALESCE(CAST(@GrainIdExtensionString AS varchar), '')
    RETURNING s.version
), inserted AS (
    INSERT INTO orleans_grain_state (service_id, grain_type_hash, grain_type_string, grain_id_hash,
        grain_id_n0, grain_id_n1, grain_id_extension_string, payload_binary, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
        COALESCE(CAST(@GrainIdExtensionString AS varchar), ''), @PayloadBinary, 1
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version
)
SELECT COALESCE((SELECT version FROM updated), (SELECT version FROM inserted), CAST(@GrainStateVersion AS integer))
    AS "NewGrainStateVersion"
$q$),
('ClearStorageKey', $q$
WITH cleared AS (
    UPDATE orleans_grain_state s
    SET payload_binary = NULL, version = s.version + 1, modified_on = now()
    WHERE s.version = CAST(@GrainStateVersion AS integer)
      AND s.grain_id_hash = @GrainIdHash
      AND s.grain_type_hash = @GrainTypeHash
      AND s.service_id = @ServiceId
      AND s.grain_id_n0 = @GrainIdN0
      AND s.grain_id_n1 = @GrainIdN1
      AND s.grain_type_string = @GrainTypeString
      AND s.grain_id_extension_string = COALESCE(CAST(@GrainIdExtensionString AS varchar), '')
    RETURNING s.version
)
SELECT COALESCE((SELECT version FROM cleared), CAST(@GrainStateVersion AS integer)) AS "NewGrainStateVersion"
$q$),
('DeleteStorageKey', $q$
WITH deleted AS (
    DELETE FROM orleans_grain_state s
    WHERE s.version = CAST(@GrainStateVersion AS integer)
      AND s.grain_id_hash = @GrainIdHash
      AND s.grain_type_hash = @GrainTypeHash
      AND s.service_id = @ServiceId
      AND s.grain_id_n0 = @GrainIdN0
      AND s.grain_id_n1 = @GrainIdN1
      AND s.grain_type_string = @GrainTypeString
      AND s.grain_id_extension_string = COALESCE(CAST(@GrainIdExtensionString AS varchar), '')
    RETURNING s.version
)
SELECT COALESCE((SELECT version + 1 FROM deleted), CAST(@GrainStateVersion AS integer)) AS "NewGrainStateVersion"
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;

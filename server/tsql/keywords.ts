// Keyword tables. Data, not code: the parser asks these sets instead of hard-coding lists inline.

/** SQL Server reserved keywords (cannot be unquoted identifiers or implicit aliases). */
export const RESERVED = new Set(
  (
    "ADD ALL ALTER AND ANY AS ASC AUTHORIZATION BACKUP BEGIN BETWEEN BREAK BROWSE BULK BY CASCADE CASE CHECK " +
    "CHECKPOINT CLOSE CLUSTERED COALESCE COLLATE COLUMN COMMIT COMPUTE CONSTRAINT CONTAINS CONTAINSTABLE CONTINUE " +
    "CONVERT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE DBCC " +
    "DEALLOCATE DECLARE DEFAULT DELETE DENY DESC DISK DISTINCT DISTRIBUTED DOUBLE DROP DUMP ELSE END ERRLVL ESCAPE " +
    "EXCEPT EXEC EXECUTE EXISTS EXIT EXTERNAL FETCH FILE FOR FOREIGN FREETEXT FREETEXTTABLE FROM FULL " +
    "FUNCTION GOTO GRANT GROUP HAVING HOLDLOCK IDENTITY IDENTITY_INSERT IDENTITYCOL IF IN INDEX INNER INSERT " +
    "INTERSECT INTO IS JOIN KEY KILL LEFT LIKE LINENO LOAD MERGE NATIONAL NOCHECK NONCLUSTERED NOT NULL NULLIF OF " +
    "OFF OFFSETS ON OPEN OPENDATASOURCE OPENQUERY OPENROWSET OPENXML OPTION OR ORDER OUTER OVER PERCENT PIVOT PLAN " +
    "PRIMARY PRINT PROC PROCEDURE PUBLIC RAISERROR READ READTEXT RECONFIGURE REFERENCES REPLICATION " +
    "RESTORE RESTRICT RETURN REVERT REVOKE RIGHT ROLLBACK ROWCOUNT ROWGUIDCOL RULE SAVE SCHEMA SECURITYAUDIT SELECT " +
    "SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYDETAILSTABLE SEMANTICSIMILARITYTABLE SESSION_USER SET SETUSER " +
    "SHUTDOWN SOME STATISTICS SYSTEM_USER TABLE TABLESAMPLE TEXTSIZE THEN TO TOP TRAN TRANSACTION TRIGGER TRUNCATE " +
    "TRY_CONVERT TSEQUAL UNION UNIQUE UNPIVOT UPDATE UPDATETEXT USE USER VALUES VARYING VIEW WAITFOR WHEN WHERE " +
    "WHILE WITH WRITETEXT"
  ).split(" "),
);

/** Words that are not reserved but never serve as an implicit alias (they start a following clause). */
export const NOT_ALIAS = new Set(
  "OUTPUT USING OFFSET APPLY THROW WINDOW RETURNS MATCHED FOR OPTION TRY CATCH LOOP HASH REMOTE REDUCE REPLICATE REDISTRIBUTE ELSE".split(" "),
);

/** Reserved words that may still start an expression (function-like or value keywords). */
export const EXPR_KEYWORDS = new Set(
  "CASE NULL CAST CONVERT TRY_CONVERT COALESCE NULLIF EXISTS LEFT RIGHT CURRENT_TIMESTAMP CURRENT_USER CURRENT_DATE CURRENT_TIME SESSION_USER SYSTEM_USER USER IDENTITY OPENQUERY OPENROWSET OPENDATASOURCE OPENXML CONTAINS FREETEXT UPDATE NOT DEFAULT NEXT".split(" "),
);

/** Niladic built-ins written without parentheses. */
export const NILADIC = new Set("CURRENT_TIMESTAMP CURRENT_USER SESSION_USER SYSTEM_USER USER CURRENT_DATE CURRENT_TIME".split(" "));

/** Keywords that start a statement; used to end a statement without `;` and to recover after an error. */
export const STATEMENT_START = new Set(
  (
    "SELECT INSERT UPDATE DELETE MERGE CREATE ALTER DROP DECLARE SET IF WHILE BEGIN EXEC EXECUTE PRINT RAISERROR " +
    "RETURN THROW GRANT DENY REVOKE USE TRUNCATE COMMIT ROLLBACK SAVE OPEN FETCH CLOSE DEALLOCATE WAITFOR GOTO BREAK " +
    "CONTINUE DBCC BACKUP RESTORE CHECKPOINT KILL RECONFIGURE SHUTDOWN BULK ENABLE DISABLE"
  ).split(" "),
);

/** SQL Server built-in type names (upper case). Anything else is a user-defined (alias, table or CLR) type. */
export const BUILTIN_TYPES = new Set(
  (
    "BIGINT INT INTEGER SMALLINT TINYINT BIT DECIMAL DEC NUMERIC MONEY SMALLMONEY FLOAT REAL DATE DATETIME DATETIME2 " +
    "DATETIMEOFFSET SMALLDATETIME TIME CHAR CHARACTER VARCHAR TEXT NCHAR NVARCHAR NTEXT BINARY VARBINARY IMAGE CURSOR " +
    "ROWVERSION TIMESTAMP HIERARCHYID UNIQUEIDENTIFIER SQL_VARIANT XML TABLE GEOMETRY GEOGRAPHY SYSNAME JSON VECTOR " +
    "DOUBLE PRECISION"
  ).split(" "),
);

/** Methods called with `expr.method(...)` (XML, spatial, hierarchyid, .WRITE). Lower-cased. */
export const KNOWN_METHODS = new Set(
  (
    "value nodes query exist modify write tostring getancestor getdescendant getlevel getroot isdescendantof " +
    "getreparentedvalue parse read stastext stasbinary stdistance stintersects stcontains stwithin stbuffer stx sty " +
    "lat long stsrid stgeometrytype stlength starea stnumpoints stpointn ststartpoint stendpoint stenvelope " +
    "stunion stintersection stisvalid makevalid reduce stequals stoverlaps sttouches stcrosses stdisjoint " +
    "stcentroid stboundary stconvexhull stdifference stsymdifference stnumgeometries stgeometryn stastext " +
    "asgml astextzm hasz hasm stisempty stisclosed stisring stdimension stexteriorring stinteriorringn " +
    "stnuminteriorring envelopecenter envelopeangle bufferwithtolerance filter"
  ).split(" "),
);

/** Built-in rowset functions; a TableFunction calling one of these is not a reference to a user object. */
export const BUILTIN_ROWSET_FUNCTIONS = new Set(
  "OPENJSON OPENXML OPENROWSET OPENQUERY OPENDATASOURCE STRING_SPLIT GENERATE_SERIES CHANGETABLE CONTAINSTABLE FREETEXTTABLE SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYTABLE SEMANTICSIMILARITYDETAILSTABLE PREDICT".split(" "),
);

/** Statement keywords that are deliberately kept as Command nodes (outside the modelled subset). */
export const ADMIN_COMMANDS = new Set(
  "GRANT DENY REVOKE DBCC BACKUP RESTORE CHECKPOINT KILL RECONFIGURE SHUTDOWN ENABLE DISABLE SETUSER REVERT SEND RECEIVE GET MOVE END".split(" "),
);

// A test double of Microsoft.Web.Administration (IIS's managed configuration API), written from
// Microsoft's documentation of that API and of IIS's configuration system, not from this project's
// TypeScript. It has exactly the types and members the provider's scripts use:
//
//   ServerManager()                      reads %windir%\System32\inetsrv\config\applicationHost.config,
//                                        or the one redirection.config there points to
//   ServerManager.GetApplicationHostConfiguration(), GetWebConfiguration(siteName, virtualPath),
//     CommitChanges(), Dispose()
//   Configuration.GetSection(sectionPath), GetSection(sectionPath, locationPath)
//   ConfigurationElement.GetChildElement(name), GetAttribute(name), GetAttributeValue(name),
//     SetAttributeValue(name, value), Attributes[name], this[name]
//   ConfigurationAttribute.Name, Value, IsInheritedFromDefaultValue, Delete()
//
// How it behaves, following IIS:
// - Attribute types, defaults and validation come from the schema files in
//   %windir%\System32\inetsrv\config\schema\*.xml, as IIS reads them (the tests install the
//   system.webServer/asp section schema there). A section must also be declared in
//   <configSections>, or it cannot be read.
// - Values are inherited: the root <system.webServer>, then <location> tags whose path is the
//   location or one of its parents (IIS compares location paths case-insensitively), the most
//   specific winning; where nothing is set, the schema's default applies. A parent's <location
//   inheritInChildApplications="false"> does not reach an application below it (the applications
//   are system.applicationHost/sites/site/application), only the folders of its own application.
// - Site and application values are written into <location path="..."> in applicationHost.config
//   (system.webServer/asp is overrideModeDefault="Deny", so that is where IIS puts them); server
//   values into the root section. New elements go where IIS puts them: a new <location> at the end
//   of <configuration>, child elements in schema order.
// - Values IIS refuses are refused when set, with IIS's messages (timeSpanRange, integerRange,
//   type conversion), as COMException with HRESULT E_INVALIDARG.
// - The file is read and written with System.Xml (whitespace preserved); CommitChanges writes a
//   temporary file beside it and renames it over the original, and refuses to overwrite a file
//   that changed on disk since it was read.
// - Errors reading the file are COMExceptions whose HRESULT carries the Win32 error (2: missing,
//   5: access denied, 13: not well-formed XML), with IIS's "Filename: / Error:" message shape.
//
// - Shared Configuration: where %windir%\System32\inetsrv\config\redirection.config holds
//   <configurationRedirection enabled="true" path="\\server\share" />, applicationHost.config is
//   read from and written to that folder (ConfigurationRedirectionSection: Enabled defaults to
//   false; RedirectionPath is where the redirected applicationHost.config is; the section lives in
//   redirection.config). The userName/password IIS would impersonate are not modelled: the
//   process's own access is used.
//
// - GetWebConfiguration(site, path): the values IIS applies at a site's path, applicationHost.config
//   and the web.config files in the folders <sites> maps the levels on the way to, merged level by
//   level (applicationHost.config first at each level); a web.config's <location path> applies at
//   its level plus that path. A web.config using a section applicationHost.config leaves locked
//   (overrideModeDefault, <location overrideMode> or allowOverride), or setting a locked attribute
//   (lockAttributes, lockAllAttributesExcept, lockElements, lockAllElementsExcept, lockItem), is
//   IIS's configuration error (HRESULT 0x80070021, naming the web.config); one that cannot be read
//   fails the read with IIS's file errors. Read-only: nothing is written to a web.config.
//
// Not modelled: writing web.config files, overrideMode set inside web.config files (for the
// files below them), collections, IIS's configuration history, and any section or member the
// scripts do not use.

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml;

namespace Microsoft.Web.Administration
{
    public sealed class ServerManager : IDisposable
    {
        private readonly string applicationHostPath;
        private Configuration applicationHost;

        public ServerManager() : this(DefaultApplicationHostPath()) { }

        /// <summary>Documented overload: the applicationHost.config to use.</summary>
        public ServerManager(string applicationHostConfigurationPath)
        {
            applicationHostPath = applicationHostConfigurationPath;
        }

        public Configuration GetApplicationHostConfiguration()
        {
            if (applicationHost == null) applicationHost = Configuration.Load(applicationHostPath);
            return applicationHost;
        }

        /// <summary>
        /// The configuration IIS applies at a site's virtual path: applicationHost.config, then the
        /// web.config files in the physical folders of the site's root and each level down to the path
        /// (WebConfigurationFiles). Read-only here: the scripts never write a web.config.
        /// </summary>
        public Configuration GetWebConfiguration(string siteName, string virtualPath)
        {
            return GetApplicationHostConfiguration().ForWeb(siteName ?? "", virtualPath ?? "");
        }

        public void CommitChanges()
        {
            if (applicationHost != null) applicationHost.Commit();
        }

        public void Dispose() { }

        private static string InetsrvFolder()
        {
            string windir = Environment.GetEnvironmentVariable("windir");
            if (string.IsNullOrEmpty(windir)) throw new COMException("The environment variable windir is not set", unchecked((int)0x800700CB));
            return Path.Combine(windir, "System32", "inetsrv");
        }

        /// <summary>
        /// applicationHost.config in %windir%\System32\inetsrv\config, unless redirection.config there
        /// enables Shared Configuration: then the file in the folder its configurationRedirection names
        /// (ConfigurationRedirectionSection: Enabled, default false, and RedirectionPath, "for example,
        /// a UNC share"; the settings are stored in Redirection.config in that folder).
        /// </summary>
        private static string DefaultApplicationHostPath()
        {
            string folder = Path.Combine(InetsrvFolder(), "config");
            string redirection = Path.Combine(folder, "redirection.config");
            string local = Path.Combine(folder, "applicationHost.config");
            if (!File.Exists(redirection)) return local;
            XmlElement redirect = Configuration.ChildNamed(Configuration.LoadDocument(redirection), "configurationRedirection");
            if (redirect == null || !string.Equals(redirect.GetAttribute("enabled").Trim(), "true", StringComparison.OrdinalIgnoreCase)) return local;
            return Path.Combine(redirect.GetAttribute("path").Trim(), "applicationHost.config");
        }

        internal static string SchemaFolder()
        {
            return Path.Combine(InetsrvFolder(), "config", "schema");
        }
    }

    public sealed class Configuration
    {
        internal const int E_INVALIDARG = unchecked((int)0x80070057);
        private const int ERROR_FILE_NOT_FOUND = unchecked((int)0x80070002);
        private const int ERROR_ACCESS_DENIED = unchecked((int)0x80070005);
        private const int ERROR_INVALID_DATA = unchecked((int)0x8007000D);
        private const int ERROR_NOT_FOUND = unchecked((int)0x80070490);
        private const int ERROR_SHARING_VIOLATION = unchecked((int)0x80070020);

        internal readonly string FilePath;
        internal readonly XmlDocument Document;
        /// <summary>For GetWebConfiguration: the web.config files on the way to its path; null for applicationHost.config's own.</summary>
        internal readonly WebConfigurationFiles Web;
        internal readonly string NewLine;
        private readonly Schema schema;
        private byte[] loadedBytes;
        private readonly bool byteOrderMark;
        internal bool Dirty;

        private Configuration(string path, byte[] bytes, XmlDocument document, Schema schema)
        {
            FilePath = path;
            loadedBytes = bytes;
            Document = document;
            this.schema = schema;
            byteOrderMark = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF;
            NewLine = Encoding.UTF8.GetString(bytes).Contains("\r\n") ? "\r\n" : "\n";
        }

        private Configuration(Configuration applicationHost, WebConfigurationFiles web)
            : this(applicationHost.FilePath, applicationHost.loadedBytes, applicationHost.Document, applicationHost.schema)
        {
            Web = web;
        }

        internal Configuration ForWeb(string siteName, string virtualPath)
        {
            return new Configuration(this, new WebConfigurationFiles(this, siteName, virtualPath));
        }

        /// <summary>The file an element was read from (a web.config's, or applicationHost.config).</summary>
        internal string FileOf(XmlElement element)
        {
            if (Web != null && element.OwnerDocument != Document) return Web.FileOf(element.OwnerDocument);
            return FilePath;
        }

        internal static Configuration Load(string path)
        {
            byte[] bytes = ReadBytes(path);
            return new Configuration(path, bytes, Parse(path, bytes), Schema.Load(ServerManager.SchemaFolder()));
        }

        /// <summary>A configuration file's root element (redirection.config), with IIS's errors.</summary>
        internal static XmlElement LoadDocument(string path)
        {
            return Parse(path, ReadBytes(path)).DocumentElement;
        }

        internal static byte[] ReadBytes(string path)
        {
            try { return File.ReadAllBytes(path); }
            catch (FileNotFoundException) { throw Error(path, 0, "Cannot read configuration file", ERROR_FILE_NOT_FOUND); }
            catch (DirectoryNotFoundException) { throw Error(path, 0, "Cannot read configuration file", ERROR_FILE_NOT_FOUND); }
            catch (UnauthorizedAccessException) { throw Error(path, 0, "Cannot read configuration file due to insufficient permissions", ERROR_ACCESS_DENIED); }
            catch (IOException) { throw Error(path, 0, "Cannot read configuration file because another process is using it", ERROR_SHARING_VIOLATION); }
        }

        internal static XmlDocument Parse(string path, byte[] bytes)
        {
            XmlDocument document = new XmlDocument();
            document.PreserveWhitespace = true;
            document.XmlResolver = null;
            XmlReaderSettings settings = new XmlReaderSettings();
            settings.DtdProcessing = DtdProcessing.Prohibit;
            settings.XmlResolver = null;
            try
            {
                using (XmlReader reader = XmlReader.Create(new MemoryStream(bytes), settings)) document.Load(reader);
            }
            catch (XmlException e)
            {
                throw Error(path, e.LineNumber, "Configuration file is not well-formed XML", ERROR_INVALID_DATA);
            }
            if (document.DocumentElement == null || document.DocumentElement.Name != "configuration")
                throw Error(path, 0, "Configuration file does not have a root <configuration> tag", ERROR_INVALID_DATA);
            return document;
        }

        /// <summary>IIS's error text: "Filename: \\?\path", the line when known, then "Error: ...".</summary>
        internal static COMException Error(string path, int line, string message, int hresult)
        {
            StringBuilder text = new StringBuilder();
            text.Append("Filename: \\\\?\\").Append(path).Append("\r\n");
            if (line > 0) text.Append("Line number: ").Append(line.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            text.Append("Error: ").Append(message).Append("\r\n\r\n");
            return new COMException(text.ToString(), hresult);
        }

        public ConfigurationSection GetSection(string sectionPath)
        {
            return GetSection(sectionPath, null);
        }

        public ConfigurationSection GetSection(string sectionPath, string locationPath)
        {
            if (Web != null && locationPath != null) throw new NotSupportedException("the double reads a web configuration at its own path only");
            SchemaElement sectionSchema = schema.Section(sectionPath);
            if (sectionSchema == null || !IsDeclared(sectionPath))
                throw Error(FilePath, 0, "The configuration section '" + sectionPath + "' cannot be read because it is missing a section declaration", ERROR_NOT_FOUND);
            string location = (locationPath ?? "").Trim('/');
            if (Web != null)
            {
                location = Web.Location;
                Web.CheckSection(sectionPath.Split('/'));
            }
            return new ConfigurationSection(this, location, sectionPath.Split('/'), sectionSchema);
        }

        /// <summary>The section's overrideModeDefault as declared ("Allow" where the declaration leaves it out, the schema's default of that attribute).</summary>
        internal string OverrideModeDefault(string[] names)
        {
            XmlElement group = ChildNamed(Document.DocumentElement, "configSections");
            for (int i = 0; group != null && i < names.Length - 1; i++) group = ChildWithName(group, "sectionGroup", names[i]);
            XmlElement section = group == null ? null : ChildWithName(group, "section", names[names.Length - 1]);
            string mode = section == null ? "" : section.GetAttribute("overrideModeDefault").Trim();
            return mode == "" ? "Allow" : mode;
        }

        private bool IsDeclared(string sectionPath)
        {
            string[] names = sectionPath.Split('/');
            XmlElement group = ChildNamed(Document.DocumentElement, "configSections");
            for (int i = 0; group != null && i < names.Length - 1; i++) group = ChildWithName(group, "sectionGroup", names[i]);
            return group != null && ChildWithName(group, "section", names[names.Length - 1]) != null;
        }

        private static XmlElement ChildWithName(XmlElement parent, string tag, string name)
        {
            foreach (XmlNode node in parent.ChildNodes)
            {
                XmlElement element = node as XmlElement;
                if (element != null && element.Name == tag && element.GetAttribute("name") == name) return element;
            }
            return null;
        }

        internal static XmlElement ChildNamed(XmlElement parent, string name)
        {
            foreach (XmlNode node in parent.ChildNodes)
            {
                XmlElement element = node as XmlElement;
                if (element != null && element.Name == name) return element;
            }
            return null;
        }

        /// <summary>The normalised path of a location tag: "" for the root ("" or ".").</summary>
        internal static string LocationPathOf(XmlElement location)
        {
            string path = location.GetAttribute("path").Trim('/');
            return path == "." ? "" : path;
        }

        /// <summary>
        /// The elements that can hold values for `location`, least specific first: the root, root-level
        /// location tags, then location tags for each parent path down to the location itself.
        /// </summary>
        internal List<XmlElement> ContainersFor(string location)
        {
            List<XmlElement> containers = new List<XmlElement>();
            containers.Add(Document.DocumentElement);
            List<XmlElement> locations = LocationTags();
            HashSet<string> applications = ApplicationPaths();
            string[] segments = location == "" ? new string[0] : location.Split('/');
            for (int depth = 0; depth <= segments.Length; depth++)
            {
                string prefix = string.Join("/", segments, 0, depth);
                // An application between this prefix (exclusive) and the location (inclusive): a tag
                // here with inheritInChildApplications="false" does not reach the location.
                bool applicationBelow = false;
                for (int below = depth + 1; below <= segments.Length; below++)
                {
                    if (applications.Contains(string.Join("/", segments, 0, below).ToLowerInvariant())) applicationBelow = true;
                }
                foreach (XmlElement tag in locations)
                {
                    if (!string.Equals(LocationPathOf(tag), prefix, StringComparison.OrdinalIgnoreCase)) continue;
                    if (Reaches(tag, applicationBelow)) containers.Add(tag);
                }
                // At each level, the web.config files after applicationHost.config (the deeper file last).
                if (Web != null) containers.AddRange(Web.ContainersAt(prefix, applicationBelow));
            }
            return containers;
        }

        /// <summary>Whether a location tag reaches a path with an application between them (inheritInChildApplications).</summary>
        internal static bool Reaches(XmlElement tag, bool applicationBelow)
        {
            return !applicationBelow || !string.Equals(tag.GetAttribute("inheritInChildApplications").Trim(), "false", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// Every application of every site as a lower-case location path ("site" for "/",
        /// "site/shop" for "/shop"), from system.applicationHost/sites.
        /// </summary>
        internal HashSet<string> ApplicationPaths()
        {
            HashSet<string> paths = new HashSet<string>();
            foreach (XmlNode node in Document.SelectNodes("/configuration/system.applicationHost/sites/site/application"))
            {
                XmlElement application = (XmlElement)node;
                string site = ((XmlElement)application.ParentNode).GetAttribute("name");
                string below = application.GetAttribute("path").Trim('/');
                paths.Add((below == "" ? site : site + "/" + below).ToLowerInvariant());
            }
            return paths;
        }

        internal List<XmlElement> LocationTags()
        {
            List<XmlElement> tags = new List<XmlElement>();
            foreach (XmlNode node in Document.DocumentElement.ChildNodes)
            {
                XmlElement element = node as XmlElement;
                if (element != null && element.Name == "location") tags.Add(element);
            }
            return tags;
        }

        /// <summary>
        /// Where values set for `location` are written: the root for the server; otherwise the first
        /// location tag with that path that already holds the section, else the first with that path,
        /// else a new one at the end of the file (created only when `create`).
        /// </summary>
        internal XmlElement WriteContainer(string location, string[] sectionPath, bool create)
        {
            if (location == "") return Document.DocumentElement;
            XmlElement firstWithPath = null;
            foreach (XmlElement tag in LocationTags())
            {
                if (!string.Equals(LocationPathOf(tag), location, StringComparison.OrdinalIgnoreCase)) continue;
                if (Descend(tag, sectionPath) != null) return tag;
                if (firstWithPath == null) firstWithPath = tag;
            }
            if (firstWithPath != null || !create) return firstWithPath;
            XmlElement created = Document.CreateElement("location");
            created.SetAttribute("path", location);
            Layout.Append(this, Document.DocumentElement, created, null);
            return created;
        }

        internal static XmlElement Descend(XmlElement from, string[] path)
        {
            XmlElement current = from;
            for (int i = 0; current != null && i < path.Length; i++) current = ChildNamed(current, path[i]);
            return current;
        }

        internal void Commit()
        {
            if (!Dirty) return;
            // IIS holds the file against other committers while it checks and replaces it; a second
            // process committing meanwhile fails with a sharing violation (reported from the field as
            // "hresult:80070020, message:Failed to commit configuration changes. The process cannot
            // access the file because it is being used by another process"). The guard is a lock file
            // in the temp folder, so the configuration folder holds nothing IIS would not put there.
            FileStream guard;
            try { guard = new FileStream(CommitGuardPath(), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) { throw Error(FilePath, 0, "Failed to commit configuration changes. The process cannot access the file because it is being used by another process.", ERROR_SHARING_VIOLATION); }
            using (guard) CommitHoldingGuard();
        }

        private string CommitGuardPath()
        {
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(Path.GetFullPath(FilePath)));
                return Path.Combine(Path.GetTempPath(), "mwa-double-commit-" + BitConverter.ToString(hash, 0, 8).Replace("-", "") + ".lock");
            }
        }

        private void CommitHoldingGuard()
        {
            byte[] onDisk;
            try { onDisk = File.ReadAllBytes(FilePath); }
            catch (FileNotFoundException) { onDisk = new byte[0]; }
            // Microsoft.Web.Administration reports this as System.IO.FileLoadException (as seen in the
            // stack traces users report: win-acme#871, certify#154, IIS.Administration#324).
            if (!SameBytes(onDisk, loadedBytes))
                throw new FileLoadException(Error(FilePath, 0, "Cannot commit configuration changes because the file has changed on disk", ERROR_SHARING_VIOLATION).Message);
            byte[] bytes = Serialize();
            string temporary = FilePath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.WriteAllBytes(temporary, bytes);
                File.Move(temporary, FilePath, true);
            }
            catch (UnauthorizedAccessException)
            {
                throw Error(FilePath, 0, "Cannot write configuration file due to insufficient permissions", ERROR_ACCESS_DENIED);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
            loadedBytes = bytes;
            Dirty = false;
        }

        /// <summary>
        /// The document as UTF-8, with the file's own line ends (XML parsing turns CRLF into LF) and
        /// its own XML declaration (XmlWriter would rewrite encoding="UTF-8" as "utf-8").
        /// </summary>
        private byte[] Serialize()
        {
            StringBuilder text = new StringBuilder();
            XmlWriterSettings settings = new XmlWriterSettings();
            settings.NewLineHandling = NewLineHandling.Replace;
            settings.NewLineChars = NewLine;
            settings.OmitXmlDeclaration = true;
            using (XmlWriter writer = XmlWriter.Create(text, settings))
            {
                foreach (XmlNode node in Document.ChildNodes)
                {
                    if (node is XmlDeclaration) continue;
                    node.WriteTo(writer);
                }
            }
            string original = new UTF8Encoding(false).GetString(loadedBytes).TrimStart('\uFEFF');
            string declaration = "";
            if (original.StartsWith("<?xml", StringComparison.Ordinal))
            {
                int end = original.IndexOf("?>", StringComparison.Ordinal);
                if (end > 0) declaration = original.Substring(0, end + 2);
            }
            byte[] body = new UTF8Encoding(false).GetBytes(declaration + text.ToString());
            if (!byteOrderMark) return body;
            byte[] withMark = new byte[body.Length + 3];
            withMark[0] = 0xEF; withMark[1] = 0xBB; withMark[2] = 0xBF;
            body.CopyTo(withMark, 3);
            return withMark;
        }

        private static bool SameBytes(byte[] a, byte[] b)
        {
            if (a.Length != b.Length) return false;
            for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
            return true;
        }
    }

    public class ConfigurationElement
    {
        internal readonly Configuration Owner;
        internal readonly string Location;
        /// <summary>Element names from the configuration root: "system.webServer", "asp", "session".</summary>
        internal readonly string[] ElementPath;
        internal readonly SchemaElement Schema;

        internal ConfigurationElement(Configuration owner, string location, string[] elementPath, SchemaElement schema)
        {
            Owner = owner;
            Location = location;
            ElementPath = elementPath;
            Schema = schema;
        }

        public ConfigurationElement GetChildElement(string elementName)
        {
            SchemaElement child = Schema.Child(elementName);
            if (child == null) throw new COMException("Unrecognized element '" + elementName + "'", Configuration.E_INVALIDARG);
            string[] path = new string[ElementPath.Length + 1];
            ElementPath.CopyTo(path, 0);
            path[ElementPath.Length] = elementName;
            return new ConfigurationElement(Owner, Location, path, child);
        }

        public ConfigurationAttributeCollection Attributes
        {
            get { return new ConfigurationAttributeCollection(this); }
        }

        public ConfigurationAttribute GetAttribute(string attributeName)
        {
            SchemaAttribute attribute = Schema.Attribute(attributeName);
            if (attribute == null)
                throw new COMException("Unrecognized attribute '" + attributeName + "'.  Note that attribute names are case-sensitive.", Configuration.E_INVALIDARG);
            return new ConfigurationAttribute(this, attribute);
        }

        public object GetAttributeValue(string attributeName)
        {
            return GetAttribute(attributeName).Value;
        }

        public void SetAttributeValue(string attributeName, object value)
        {
            GetAttribute(attributeName).Value = value;
        }

        public object this[string attributeName]
        {
            get { return GetAttributeValue(attributeName); }
            set { SetAttributeValue(attributeName, value); }
        }

        /// <summary>The XML element holding this element's values in `container`, or null.</summary>
        internal XmlElement StoredIn(XmlElement container)
        {
            return container == null ? null : Configuration.Descend(container, ElementPath);
        }

        /// <summary>This element where values for its location are written, created on the way when asked.</summary>
        internal XmlElement WriteTarget(bool create)
        {
            string[] sectionPath = SectionPath();
            XmlElement container = Owner.WriteContainer(Location, sectionPath, create);
            if (container == null) return null;
            XmlElement current = container;
            SchemaElement schemaOfCurrent = null;
            for (int i = 0; i < ElementPath.Length; i++)
            {
                XmlElement next = Configuration.ChildNamed(current, ElementPath[i]);
                if (next == null)
                {
                    if (!create) return null;
                    next = Owner.Document.CreateElement(ElementPath[i]);
                    Layout.Append(Owner, current, next, schemaOfCurrent == null ? null : schemaOfCurrent.ChildrenAfter(ElementPath[i]));
                }
                schemaOfCurrent = i >= sectionPath.Length - 1 ? SchemaAt(i) : null;
                current = next;
            }
            return current;
        }

        internal string[] SectionPath()
        {
            int length = ElementPath.Length;
            for (SchemaElement element = Schema; element.Parent != null; element = element.Parent) length--;
            string[] path = new string[length];
            Array.Copy(ElementPath, path, length);
            return path;
        }

        /// <summary>The schema of ElementPath[index] (meaningful from the section down).</summary>
        private SchemaElement SchemaAt(int index)
        {
            SchemaElement element = Schema;
            for (int i = ElementPath.Length - 1; i > index; i--) element = element.Parent;
            return element;
        }
    }

    public sealed class ConfigurationSection : ConfigurationElement
    {
        internal ConfigurationSection(Configuration owner, string location, string[] sectionPath, SchemaElement schema)
            : base(owner, location, sectionPath, schema) { }
    }

    public sealed class ConfigurationAttributeCollection : IEnumerable<ConfigurationAttribute>
    {
        private readonly ConfigurationElement element;

        internal ConfigurationAttributeCollection(ConfigurationElement element)
        {
            this.element = element;
        }

        public ConfigurationAttribute this[string name]
        {
            get { return element.GetAttribute(name); }
        }

        public int Count
        {
            get { return element.Schema.Attributes.Count; }
        }

        public IEnumerator<ConfigurationAttribute> GetEnumerator()
        {
            foreach (SchemaAttribute attribute in element.Schema.Attributes) yield return new ConfigurationAttribute(element, attribute);
        }

        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }

    public sealed class ConfigurationAttribute
    {
        private readonly ConfigurationElement element;
        private readonly SchemaAttribute schema;

        internal ConfigurationAttribute(ConfigurationElement element, SchemaAttribute schema)
        {
            this.element = element;
            this.schema = schema;
        }

        public string Name
        {
            get { return schema.Name; }
        }

        /// <summary>The effective value: the most specific one set on the way to the location, else the schema's default.</summary>
        public object Value
        {
            get
            {
                if (element.Owner.Web != null) element.Owner.Web.CheckLocks(element, schema.Name);
                XmlElement holder = MostSpecificHolder();
                if (holder == null) return schema.DefaultValue;
                return schema.ParseStored(holder.GetAttribute(schema.Name), element.Owner.FileOf(holder), LineOf(holder));
            }
            set
            {
                if (element.Owner.Web != null) throw new NotSupportedException("the double writes applicationHost.config only");
                string text = schema.Format(schema.Convert(value));
                XmlElement target = element.WriteTarget(true);
                target.SetAttribute(schema.Name, text);
                element.Owner.Dirty = true;
            }
        }

        public bool IsInheritedFromDefaultValue
        {
            get { return MostSpecificHolder() == null; }
        }

        /// <summary>Removes the value set at this element's own location, so the inherited one applies.</summary>
        public void Delete()
        {
            if (element.Owner.Web != null) throw new NotSupportedException("the double writes applicationHost.config only");
            XmlElement target = element.WriteTarget(false);
            if (target == null || !target.HasAttribute(schema.Name)) return;
            target.RemoveAttribute(schema.Name);
            element.Owner.Dirty = true;
        }

        private XmlElement MostSpecificHolder()
        {
            XmlElement found = null;
            foreach (XmlElement container in element.Owner.ContainersFor(element.Location))
            {
                XmlElement stored = element.StoredIn(container);
                if (stored != null && stored.HasAttribute(schema.Name)) found = stored;
            }
            return found;
        }

        internal static int LineOf(XmlElement element)
        {
            // System.Xml keeps no line numbers on a loaded document; count the newlines before it instead.
            int line = 1;
            for (XmlNode node = element; node != null; node = PreviousInDocument(node))
            {
                XmlCharacterData text = node as XmlCharacterData;
                if (text != null && node != element) foreach (char c in text.Data) if (c == '\n') line++;
            }
            return line;
        }

        private static XmlNode PreviousInDocument(XmlNode node)
        {
            if (node.PreviousSibling == null) return node.ParentNode is XmlDocument ? null : node.ParentNode;
            XmlNode previous = node.PreviousSibling;
            while (previous.LastChild != null) previous = previous.LastChild;
            return previous;
        }
    }

    /// <summary>
    /// The web.config files IIS reads for a site's virtual path (GetWebConfiguration): one per level,
    /// the site's root and each folder down to the path, in the physical folder
    /// system.applicationHost/sites maps that level to (the application whose path matches the most
    /// of it, that application's virtual directory matching the most of the rest, then the folders
    /// below; environment variables in physicalPath expanded). A missing file sets nothing; a site
    /// the file does not define has no folders, so no web.config. Each file's root applies at its
    /// own level, its location tags at that level plus their path ("." is the level itself).
    ///
    /// IIS's rules for them (how-to-use-locking-in-iis-configuration; settings-schema general
    /// attributes; HTTP 500.19):
    /// - a file that uses a section where applicationHost.config leaves it locked (the section's
    ///   overrideModeDefault, then overrideMode or the legacy allowOverride of the location tags holding
    ///   the section, from the root down to the file's level, the last one deciding) is an error with
    ///   HRESULT 0x80070021 naming the file;
    /// - so is a file that sets an attribute a higher level locks (lockAttributes,
    ///   lockAllAttributesExcept, lockElements, lockAllElementsExcept, lockItem), "Lock violation";
    /// - a file that cannot be read makes the path's configuration unreadable, with IIS's file errors.
    /// </summary>
    internal sealed class WebConfigurationFiles
    {
        private const int ERROR_ACCESS_DENIED = unchecked((int)0x80070005);
        private const int ERROR_SHARING_VIOLATION = unchecked((int)0x80070020);
        private const int ERROR_LOCK_VIOLATION = unchecked((int)0x80070021);
        private const string SECTION_LOCKED = "This configuration section cannot be used at this path. This happens when the section is locked at a parent level. " +
            "Locking is either by default (overrideModeDefault=\"Deny\"), or set explicitly by a location tag with overrideMode=\"Deny\" or the legacy allowOverride=\"false\".";

        /// <summary>The location path ("site/folder") the configuration is for.</summary>
        internal readonly string Location;
        private readonly Configuration host;
        private readonly List<WebFile> files = new List<WebFile>();

        private sealed class WebFile
        {
            internal string Level;
            internal string FilePath;
            internal XmlDocument Document;
            internal COMException Unreadable;
        }

        internal WebConfigurationFiles(Configuration host, string siteName, string virtualPath)
        {
            this.host = host;
            string[] segments = virtualPath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            Location = segments.Length == 0 ? siteName : siteName + "/" + string.Join("/", segments);
            XmlElement site = FindSite(siteName);
            if (site == null) return;
            for (int depth = 0; depth <= segments.Length; depth++)
            {
                string[] below = new string[depth];
                Array.Copy(segments, below, depth);
                string folder = PhysicalFolder(site, below);
                if (folder == null) continue;
                WebFile file = Load(Path.Combine(folder, "web.config"));
                if (file == null) continue;
                file.Level = depth == 0 ? siteName : siteName + "/" + string.Join("/", below);
                files.Add(file);
            }
        }

        private static WebFile Load(string path)
        {
            WebFile file = new WebFile();
            file.FilePath = path;
            if (Directory.Exists(path))
            {
                file.Unreadable = Configuration.Error(path, 0, "Cannot read configuration file due to insufficient permissions", ERROR_ACCESS_DENIED);
                return file;
            }
            if (!File.Exists(path)) return null;
            try { file.Document = Configuration.Parse(path, Configuration.ReadBytes(path)); }
            catch (COMException e) { file.Unreadable = e; }
            return file;
        }

        internal string FileOf(XmlDocument document)
        {
            foreach (WebFile file in files) if (file.Document == document) return file.FilePath;
            return host.FilePath;
        }

        private XmlElement FindSite(string name)
        {
            foreach (XmlNode node in host.Document.SelectNodes("/configuration/system.applicationHost/sites/site"))
            {
                XmlElement site = (XmlElement)node;
                if (string.Equals(site.GetAttribute("name"), name, StringComparison.OrdinalIgnoreCase)) return site;
            }
            return null;
        }

        private static string PhysicalFolder(XmlElement site, string[] segments)
        {
            int inSite;
            XmlElement application = LongestMatch(site, "application", segments, 0, out inSite);
            if (application == null) return null;
            int inApplication;
            XmlElement directory = LongestMatch(application, "virtualDirectory", segments, inSite, out inApplication);
            if (directory == null || directory.GetAttribute("physicalPath") == "") return null;
            string folder = Environment.ExpandEnvironmentVariables(directory.GetAttribute("physicalPath"));
            for (int i = inSite + inApplication; i < segments.Length; i++) folder = Path.Combine(folder, segments[i]);
            return folder;
        }

        /// <summary>The child (by tag) whose path matches the most segments from `from` on (case-insensitively), and how many.</summary>
        private static XmlElement LongestMatch(XmlElement parent, string tag, string[] segments, int from, out int matched)
        {
            XmlElement best = null;
            matched = 0;
            foreach (XmlNode node in parent.ChildNodes)
            {
                XmlElement child = node as XmlElement;
                if (child == null || child.Name != tag) continue;
                string[] path = child.GetAttribute("path").Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
                if (path.Length > segments.Length - from || (best != null && path.Length <= matched)) continue;
                bool matches = true;
                for (int i = 0; i < path.Length; i++) matches &= string.Equals(path[i], segments[from + i], StringComparison.OrdinalIgnoreCase);
                if (!matches) continue;
                best = child;
                matched = path.Length;
            }
            return best;
        }

        /// <summary>Where a web.config's container applies: its level, or the level plus a location tag's path.</summary>
        private static string LevelOf(WebFile file, XmlElement container)
        {
            if (container == file.Document.DocumentElement) return file.Level;
            string below = Configuration.LocationPathOf(container);
            return below == "" ? file.Level : file.Level + "/" + below;
        }

        private static IEnumerable<XmlElement> ContainersOf(WebFile file)
        {
            yield return file.Document.DocumentElement;
            foreach (XmlNode node in file.Document.DocumentElement.ChildNodes)
            {
                XmlElement element = node as XmlElement;
                if (element != null && element.Name == "location") yield return element;
            }
        }

        private static bool SameOrBelow(string path, string level)
        {
            return string.Equals(path, level, StringComparison.OrdinalIgnoreCase) || path.StartsWith(level + "/", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The web.config containers that hold values for exactly `level`, shallower files first.</summary>
        internal List<XmlElement> ContainersAt(string level, bool applicationBelow)
        {
            List<XmlElement> found = new List<XmlElement>();
            foreach (WebFile file in files)
            {
                if (file.Document == null) continue;
                foreach (XmlElement container in ContainersOf(file))
                {
                    if (!string.Equals(LevelOf(file, container), level, StringComparison.OrdinalIgnoreCase)) continue;
                    if (container == file.Document.DocumentElement || Configuration.Reaches(container, applicationBelow)) found.Add(container);
                }
            }
            return found;
        }

        /// <summary>IIS's errors for reading the section at this path: an unreadable web.config, or one using the section where it is locked.</summary>
        internal void CheckSection(string[] sectionPath)
        {
            foreach (WebFile file in files)
            {
                if (file.Unreadable != null) throw file.Unreadable;
                foreach (XmlElement container in ContainersOf(file))
                {
                    XmlElement used = Configuration.Descend(container, sectionPath);
                    if (used != null && !Unlocked(file.Level, sectionPath)) throw Configuration.Error(file.FilePath, ConfigurationAttribute.LineOf(used), SECTION_LOCKED, ERROR_LOCK_VIOLATION);
                }
            }
        }

        /// <summary>Whether applicationHost.config lets web.config files at `level` use the section.</summary>
        private bool Unlocked(string level, string[] sectionPath)
        {
            bool allowed = string.Equals(host.OverrideModeDefault(sectionPath), "Allow", StringComparison.OrdinalIgnoreCase);
            string[] segments = level.Split('/');
            for (int depth = 0; depth <= segments.Length; depth++)
            {
                string prefix = string.Join("/", segments, 0, depth);
                foreach (XmlElement tag in host.LocationTags())
                {
                    if (!string.Equals(Configuration.LocationPathOf(tag), prefix, StringComparison.OrdinalIgnoreCase) || Configuration.Descend(tag, sectionPath) == null) continue;
                    string overrideMode = tag.GetAttribute("overrideMode").Trim();
                    string allowOverride = tag.GetAttribute("allowOverride").Trim();
                    if (string.Equals(overrideMode, "Allow", StringComparison.OrdinalIgnoreCase)) allowed = true;
                    else if (string.Equals(overrideMode, "Deny", StringComparison.OrdinalIgnoreCase)) allowed = false;
                    else if (string.Equals(allowOverride, "true", StringComparison.OrdinalIgnoreCase)) allowed = true;
                    else if (string.Equals(allowOverride, "false", StringComparison.OrdinalIgnoreCase)) allowed = false;
                }
            }
            return allowed;
        }

        /// <summary>"Lock violation" when a web.config on the way sets this attribute and a level above that file locks it.</summary>
        internal void CheckLocks(ConfigurationElement element, string attribute)
        {
            int sectionLength = element.SectionPath().Length;
            for (int index = 0; index < files.Count; index++)
            {
                WebFile file = files[index];
                if (file.Document == null) continue;
                foreach (XmlElement container in ContainersOf(file))
                {
                    if (!SameOrBelow(Location, LevelOf(file, container))) continue;
                    XmlElement stored = Configuration.Descend(container, element.ElementPath);
                    if (stored == null || !stored.HasAttribute(attribute)) continue;
                    List<XmlElement> above = host.ContainersFor(file.Level);
                    for (int shallower = 0; shallower < index; shallower++)
                    {
                        if (files[shallower].Document == null) continue;
                        foreach (XmlElement candidate in ContainersOf(files[shallower]))
                        {
                            if (SameOrBelow(file.Level, LevelOf(files[shallower], candidate))) above.Add(candidate);
                        }
                    }
                    foreach (XmlElement level in above)
                    {
                        if (Locks(level, element.ElementPath, sectionLength, attribute)) throw Configuration.Error(file.FilePath, ConfigurationAttribute.LineOf(stored), "Lock violation", ERROR_LOCK_VIOLATION);
                    }
                }
            }
        }

        private static bool Locks(XmlElement container, string[] elementPath, int sectionLength, string attribute)
        {
            XmlElement target = Configuration.Descend(container, elementPath);
            if (target != null)
            {
                if (IsTrue(target, "lockItem") || Names(target, "lockAttributes", attribute, true)) return true;
                if (target.HasAttribute("lockAllAttributesExcept") && !Names(target, "lockAllAttributesExcept", attribute, false)) return true;
            }
            for (int depth = sectionLength; depth < elementPath.Length; depth++)
            {
                string[] path = new string[depth];
                Array.Copy(elementPath, path, depth);
                XmlElement ancestor = Configuration.Descend(container, path);
                if (ancestor == null) continue;
                string child = elementPath[depth];
                if (IsTrue(ancestor, "lockItem") || Names(ancestor, "lockElements", child, true)) return true;
                if (ancestor.HasAttribute("lockAllElementsExcept") && !Names(ancestor, "lockAllElementsExcept", child, false)) return true;
            }
            return false;
        }

        private static bool IsTrue(XmlElement element, string name)
        {
            return string.Equals(element.GetAttribute(name).Trim(), "true", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>Whether the comma-separated list names `name` (or "*", where a wildcard counts).</summary>
        private static bool Names(XmlElement element, string list, string name, bool wildcard)
        {
            foreach (string item in element.GetAttribute(list).Split(','))
            {
                string trimmed = item.Trim();
                if (trimmed == name || (wildcard && trimmed == "*")) return true;
            }
            return false;
        }
    }

    /// <summary>Indentation for new elements, in the style of their neighbours.</summary>
    internal static class Layout
    {
        internal static void Append(Configuration owner, XmlElement parent, XmlElement child, ICollection<string> mustPrecede)
        {
            XmlDocument document = owner.Document;
            string parentIndent = IndentOf(parent);
            string unit = parentIndent.Contains("\t") ? "\t" : (Descendant4(document) ? "    " : "  ");
            string childIndent = parentIndent + unit;
            XmlNode before = null;
            if (mustPrecede != null)
            {
                foreach (XmlNode node in parent.ChildNodes)
                {
                    if (node is XmlElement && mustPrecede.Contains(node.Name)) { before = node; break; }
                }
            }
            if (before != null)
            {
                parent.InsertBefore(child, before);
                parent.InsertBefore(document.CreateWhitespace(owner.NewLine + childIndent), before);
                return;
            }
            XmlNode last = parent.LastChild;
            if (last != null && (last is XmlWhitespace || last is XmlSignificantWhitespace))
            {
                parent.InsertBefore(document.CreateWhitespace(owner.NewLine + childIndent), last);
                parent.InsertBefore(child, last);
                return;
            }
            parent.AppendChild(document.CreateWhitespace(owner.NewLine + childIndent));
            parent.AppendChild(child);
            parent.AppendChild(document.CreateWhitespace(owner.NewLine + parentIndent));
        }

        private static string IndentOf(XmlElement element)
        {
            XmlNode previous = element.PreviousSibling;
            if (previous == null || !(previous is XmlWhitespace || previous is XmlSignificantWhitespace)) return "";
            string text = previous.Value;
            int newline = text.LastIndexOf('\n');
            return newline < 0 ? "" : text.Substring(newline + 1);
        }

        private static bool Descendant4(XmlDocument document)
        {
            foreach (XmlNode node in document.DocumentElement.ChildNodes)
            {
                if (node is XmlWhitespace || node is XmlSignificantWhitespace)
                {
                    string text = node.Value;
                    int newline = text.LastIndexOf('\n');
                    string indent = newline < 0 ? text : text.Substring(newline + 1);
                    if (indent.Length > 0) return indent.Length >= 4;
                }
            }
            return true;
        }
    }

    /// <summary>The schema of the sections the double knows, from IIS schema files.</summary>
    internal sealed class Schema
    {
        private readonly Dictionary<string, SchemaElement> sections = new Dictionary<string, SchemaElement>(StringComparer.Ordinal);

        internal static Schema Load(string folder)
        {
            Schema schema = new Schema();
            if (!Directory.Exists(folder)) return schema;
            string[] files = Directory.GetFiles(folder, "*.xml");
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files)
            {
                XmlDocument document = new XmlDocument();
                document.XmlResolver = null;
                document.Load(file);
                foreach (XmlNode node in document.DocumentElement.ChildNodes)
                {
                    XmlElement section = node as XmlElement;
                    if (section == null || section.Name != "sectionSchema") continue;
                    schema.sections[section.GetAttribute("name")] = SchemaElement.Read(section, null);
                }
            }
            return schema;
        }

        internal SchemaElement Section(string path)
        {
            SchemaElement section;
            return sections.TryGetValue(path, out section) ? section : null;
        }
    }

    internal sealed class SchemaElement
    {
        internal readonly string Name;
        internal readonly SchemaElement Parent;
        internal readonly List<SchemaAttribute> Attributes = new List<SchemaAttribute>();
        private readonly List<SchemaElement> children = new List<SchemaElement>();

        private SchemaElement(string name, SchemaElement parent)
        {
            Name = name;
            Parent = parent;
        }

        internal static SchemaElement Read(XmlElement definition, SchemaElement parent)
        {
            SchemaElement element = new SchemaElement(definition.GetAttribute("name"), parent);
            foreach (XmlNode node in definition.ChildNodes)
            {
                XmlElement child = node as XmlElement;
                if (child == null) continue;
                if (child.Name == "attribute") element.Attributes.Add(SchemaAttribute.Read(child));
                else if (child.Name == "element") element.children.Add(Read(child, element));
            }
            return element;
        }

        internal SchemaElement Child(string name)
        {
            foreach (SchemaElement child in children) if (child.Name == name) return child;
            return null;
        }

        /// <summary>The names of the child elements the schema puts after `name`.</summary>
        internal ICollection<string> ChildrenAfter(string name)
        {
            List<string> after = new List<string>();
            bool seen = false;
            foreach (SchemaElement child in children)
            {
                if (seen) after.Add(child.Name);
                if (child.Name == name) seen = true;
            }
            return after;
        }

        internal SchemaAttribute Attribute(string name)
        {
            foreach (SchemaAttribute attribute in Attributes) if (attribute.Name == name) return attribute;
            return null;
        }
    }

    internal sealed class SchemaAttribute
    {
        internal readonly string Name;
        private readonly string type;
        private readonly string validationType;
        private readonly string validationParameter;
        internal readonly object DefaultValue;

        private SchemaAttribute(XmlElement definition)
        {
            Name = definition.GetAttribute("name");
            type = definition.GetAttribute("type");
            validationType = definition.GetAttribute("validationType");
            validationParameter = definition.GetAttribute("validationParameter");
            string defaultText = definition.HasAttribute("defaultValue") ? definition.GetAttribute("defaultValue") : null;
            DefaultValue = defaultText == null ? ZeroValue() : FromText(defaultText);
        }

        internal static SchemaAttribute Read(XmlElement definition)
        {
            return new SchemaAttribute(definition);
        }

        private object ZeroValue()
        {
            switch (type)
            {
                case "bool": return false;
                case "uint": return 0u;
                case "int": return 0;
                case "timeSpan": return TimeSpan.Zero;
                default: return "";
            }
        }

        /// <summary>A value as the API returns it: bool, uint (UInt32), int, TimeSpan or string.</summary>
        private object FromText(string text)
        {
            CultureInfo invariant = CultureInfo.InvariantCulture;
            switch (type)
            {
                case "bool":
                    if (string.Equals(text.Trim(), "true", StringComparison.OrdinalIgnoreCase)) return true;
                    if (string.Equals(text.Trim(), "false", StringComparison.OrdinalIgnoreCase)) return false;
                    throw new FormatException("Invalid boolean value");
                case "uint": return uint.Parse(text.Trim(), NumberStyles.None, invariant);
                case "int": return int.Parse(text.Trim(), NumberStyles.AllowLeadingSign, invariant);
                case "timeSpan": return TimeSpan.Parse(text.Trim(), invariant);
                default: return text;
            }
        }

        /// <summary>A stored value: parsed and validated, or IIS's configuration error naming the file and line.</summary>
        internal object ParseStored(string text, string file, int line)
        {
            object value;
            try { value = FromText(text); }
            catch (Exception e) when (e is FormatException || e is OverflowException)
            {
                throw Configuration.Error(file, line, "The value '" + text + "' is not valid for attribute '" + Name + "' (" + TypeDescription() + ")", Configuration.E_INVALIDARG);
            }
            string problem = Validate(value);
            if (problem != null) throw Configuration.Error(file, line, problem, Configuration.E_INVALIDARG);
            return value;
        }

        /// <summary>A value given to the API, as this attribute's type, validated; IIS's message when refused.</summary>
        internal object Convert(object given)
        {
            if (given == null) throw new COMException("Value cannot be null for attribute '" + Name + "'", Configuration.E_INVALIDARG);
            object value;
            try
            {
                value = given is string ? FromText((string)given) : ConvertValue(given);
            }
            catch (Exception e) when (e is FormatException || e is OverflowException || e is InvalidCastException)
            {
                throw new COMException("Cannot convert '" + System.Convert.ToString(given, CultureInfo.InvariantCulture) + "' to " + TypeDescription() + " for attribute '" + Name + "'", Configuration.E_INVALIDARG);
            }
            string problem = Validate(value);
            if (problem != null) throw new COMException(problem, Configuration.E_INVALIDARG);
            return value;
        }

        private object ConvertValue(object given)
        {
            switch (type)
            {
                case "bool":
                    if (given is bool) return given;
                    throw new InvalidCastException();
                case "uint":
                    if (given is bool || given is TimeSpan || given is double || given is float) throw new InvalidCastException();
                    return System.Convert.ToUInt32(given, CultureInfo.InvariantCulture);
                case "int":
                    if (given is bool || given is TimeSpan || given is double || given is float) throw new InvalidCastException();
                    return System.Convert.ToInt32(given, CultureInfo.InvariantCulture);
                case "timeSpan":
                    if (given is TimeSpan) return given;
                    throw new InvalidCastException();
                default:
                    return System.Convert.ToString(given, CultureInfo.InvariantCulture);
            }
        }

        private string TypeDescription()
        {
            switch (type)
            {
                case "bool": return "a boolean: true or false";
                case "uint": return "an unsigned integer from 0 to 4294967295";
                case "int": return "an integer";
                case "timeSpan": return "a TimeSpan such as 00:20:00";
                default: return "a string";
            }
        }

        /// <summary>IIS's validators used by the schema: timeSpanRange (min,max,granularity in seconds) and integerRange.</summary>
        private string Validate(object value)
        {
            if (validationType == "timeSpanRange" && value is TimeSpan)
            {
                string[] parts = validationParameter.Split(',');
                long min = long.Parse(parts[0], CultureInfo.InvariantCulture);
                long max = long.Parse(parts[1], CultureInfo.InvariantCulture);
                long granularity = parts.Length > 2 ? long.Parse(parts[2], CultureInfo.InvariantCulture) : 1;
                TimeSpan span = (TimeSpan)value;
                bool whole = span.Ticks % (granularity * TimeSpan.TicksPerSecond) == 0;
                if (span.Ticks < min * TimeSpan.TicksPerSecond || span.Ticks > max * TimeSpan.TicksPerSecond || !whole)
                {
                    return "Timespan value must be between " + TimeSpan.FromSeconds(min).ToString() + " and " + TimeSpan.FromSeconds(max).ToString() +
                        " seconds inclusive, with a granularity of " + granularity.ToString(CultureInfo.InvariantCulture) + " seconds";
                }
            }
            if (validationType == "integerRange" && (value is uint || value is int))
            {
                string[] parts = validationParameter.Split(',');
                long min = long.Parse(parts[0], CultureInfo.InvariantCulture);
                long max = long.Parse(parts[1], CultureInfo.InvariantCulture);
                long number = System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
                if (number < min || number > max)
                    return "Integer value must be between " + min.ToString(CultureInfo.InvariantCulture) + " and " + max.ToString(CultureInfo.InvariantCulture) + " inclusive";
            }
            return null;
        }

        /// <summary>The text IIS writes: true/false, decimal numbers, TimeSpan's constant format (hh:mm:ss, d.hh:mm:ss).</summary>
        internal string Format(object value)
        {
            if (value is bool) return (bool)value ? "true" : "false";
            if (value is TimeSpan) return ((TimeSpan)value).ToString("c", CultureInfo.InvariantCulture);
            return System.Convert.ToString(value, CultureInfo.InvariantCulture);
        }
    }
}
